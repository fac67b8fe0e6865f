// modelmonitor-sidecar: sits in front of the model server and measures it.
// main only parses flags and wires objects.
#include <CLI/CLI.hpp>

#include "common/log.h"
#include "sidecar/options.h"

int main(int argc, char** argv) {
  CLI::App app{"modelmonitor-sidecar: measures a model server's latency, errors and accuracy"};
  app.set_version_flag("--version", std::string("modelmonitor-sidecar ") + MM_VERSION);
  mm::sidecar::SidecarOptions options;
  mm::sidecar::AddFlags(app, &options);
  CLI11_PARSE(app, argc, argv);
  mm::log::Error("the proxy is not built yet; only --help and --version work");
  return 1;
}
