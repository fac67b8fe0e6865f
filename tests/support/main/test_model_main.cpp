// mm-test-model: a model server in a process of its own, for tests that kill it
// (kill -9) and start it again on the same port. Answers every request with 200
// and a fixed JSON body.
//
//   mm-test-model <port> [body]     body default: {"predictions":[[0.2,0.8]]}
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>

#include "tests/support/test_upstream.h"

int main(int argc, char** argv) {
  if (argc < 2 || std::atoi(argv[1]) <= 0 || std::atoi(argv[1]) > 65535) {
    std::fprintf(stderr, "usage: mm-test-model <port> [body]\n");
    return 2;
  }
  const std::string body = argc > 2 ? argv[2] : R"({"predictions":[[0.2,0.8]]})";
  using mm::testing::TestUpstream;
  try {
    TestUpstream model(
        [&body](TestUpstream::Connection& c) {
          while (c.ReadRequest()) {
            if (!c.Write(TestUpstream::Response(200, "application/json", body))) return;
          }
        },
        static_cast<uint16_t>(std::atoi(argv[1])));
    std::printf("serving on 127.0.0.1:%u\n", model.port());
    std::fflush(stdout);
    while (true) pause();  // until a signal ends the process
  } catch (const std::exception& e) {
    std::fprintf(stderr, "mm-test-model: cannot listen on port %s: %s\n", argv[1], e.what());
    return 1;
  }
}
