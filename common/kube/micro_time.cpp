#include "common/kube/micro_time.h"

#include <sys/time.h>

#include <cstdio>
#include <ctime>

namespace mm::kube {

std::string MicroTimeNow() {
  timeval tv{};
  gettimeofday(&tv, nullptr);
  std::tm tm{};
  gmtime_r(&tv.tv_sec, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char out[64];
  std::snprintf(out, sizeof out, "%s.%06ldZ", buf, static_cast<long>(tv.tv_usec));
  return out;
}

}  // namespace mm::kube
