// modelmonitor-sidecar: sits in front of the model server and measures it.
// main only parses flags and wires objects.
#include <CLI/CLI.hpp>
#include <csignal>

#include "common/log.h"
#include "sidecar/options.h"
#include "sidecar/sidecar.h"

int main(int argc, char** argv) {
  CLI::App app{"modelmonitor-sidecar: measures a model server's latency, errors and accuracy"};
  app.set_version_flag("--version", std::string("modelmonitor-sidecar ") + MM_VERSION);
  mm::sidecar::SidecarOptions options;
  mm::sidecar::AddFlags(app, &options);
  CLI11_PARSE(app, argc, argv);
  mm::log::Level level;
  if (mm::log::ParseLevel(options.log_level, &level)) mm::log::SetMinLevel(level);
  auto config = mm::sidecar::ConfigFromOptions(options);
  if (!config) {
    mm::log::Error("invalid configuration", {{"error", config.error().message}});
    return 2;
  }
  // Block the signals before threads start so only sigwait sees them. SIGHUP
  // checks the config now instead of ending the process (its default).
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  auto sidecar = mm::sidecar::Sidecar::Create(std::move(config.value()),
                                              mm::sidecar::ReloadSourceFromOptions(options));
  if (!sidecar) {
    mm::log::Error("invalid configuration", {{"error", sidecar.error().message}});
    return 2;
  }
  if (auto started = (*sidecar)->Start(); !started) {
    mm::log::Error("cannot start", {{"error", started.error().message}});
    return 1;
  }
  int signal = 0;
  while (sigwait(&signals, &signal) == 0 && signal == SIGHUP) (*sidecar)->ReloadConfig();
  mm::log::Info("stopping", {{"signal", signal}});
  (*sidecar)->Stop();
  return 0;
}
