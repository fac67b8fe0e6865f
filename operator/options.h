#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace mm::op {

// The operator's flags. Each later concern (leader election, webhook, API,
// evaluation) adds its own fields here, with a --help text that documents it.
struct OperatorOptions {
  std::string kubeconfig;  // empty: $KUBECONFIG, then in-cluster
  std::string log_level = "info";
  bool check_connection = false;
};

void AddFlags(CLI::App& app, OperatorOptions* options);

}  // namespace mm::op
