#pragma once

#include <CLI/CLI.hpp>

#include "operator/webhook/sidecar_injector.h"

namespace mm::webhook {

// The operator's flags for the injection webhook and the injected sidecar
// (--webhook-*, --sidecar-*), written into `options`. Call ResolveWebhookOptions
// after parsing.
void AddWebhookFlags(CLI::App& app, SidecarInjectorOptions* options);

// Derives what follows from the flags: the serving certificate's names from the
// Service (<svc>, <svc>.<ns>, <svc>.<ns>.svc, <svc>.<ns>.svc.cluster.local,
// 127.0.0.1) and the Secret's namespace (the Service's).
void ResolveWebhookOptions(SidecarInjectorOptions* options);

}  // namespace mm::webhook
