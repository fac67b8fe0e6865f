// main() of every integration and e2e test binary: one real control plane for all its tests.
#include <gtest/gtest.h>

#include "tests/support/control_plane.h"

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  ::testing::AddGlobalTestEnvironment(new mm::testing::ControlPlaneEnvironment());
  return RUN_ALL_TESTS();
}
