#pragma once

#include "common/result.h"
#include "operator/controller.h"
#include "operator/options.h"

namespace mm::op {

// Turns flags into the controller's options: durations parsed, the Lease's
// namespace and this replica's identity defaulted, leader timings checked.
Result<ControllerOptions> MakeControllerOptions(const OperatorOptions& flags);

// $POD_NAME or the hostname, then "_" and 8 random hex digits (unique per process).
std::string DefaultIdentity();

}  // namespace mm::op
