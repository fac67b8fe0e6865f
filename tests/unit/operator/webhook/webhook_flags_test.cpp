#include "operator/webhook/webhook_flags.h"

#include <gtest/gtest.h>

namespace mm::webhook {
namespace {

TEST(WebhookFlags, ParseIntoInjectorOptions) {
  CLI::App app;
  SidecarInjectorOptions o;
  AddWebhookFlags(app, &o);
  const char* argv[] = {"op",
                        "--webhook-port=9443",
                        "--webhook-service=mm-hook",
                        "--webhook-namespace=ops",
                        "--webhook-cert-dir=/certs",
                        "--no-webhook-patch-ca-bundle",
                        "--sidecar-image=reg/sidecar:2",
                        "--sidecar-memory-limit=1Gi"};
  app.parse(static_cast<int>(std::size(argv)), argv);
  ResolveWebhookOptions(&o);
  EXPECT_EQ(o.port, 9443);
  EXPECT_EQ(o.cert_dir, "/certs");
  EXPECT_FALSE(o.patch_ca_bundle);
  EXPECT_TRUE(o.manage_configuration);
  EXPECT_EQ(o.sidecar.image, "reg/sidecar:2");
  EXPECT_EQ(o.sidecar.resources.memory_limit, "1Gi");
  EXPECT_EQ(o.secret.ns, "ops");
  EXPECT_EQ(o.secret.serving.dns_names,
            (std::vector<std::string>{"mm-hook", "mm-hook.ops", "mm-hook.ops.svc",
                                      "mm-hook.ops.svc.cluster.local"}));
  EXPECT_EQ(o.secret.serving.ip_addresses, std::vector<std::string>{"127.0.0.1"});
}

}  // namespace
}  // namespace mm::webhook
