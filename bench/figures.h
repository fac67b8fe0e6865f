#pragma once

// What every benchmark program shares, so that none can rot quietly:
// - progress lines show as they happen (stdout line-buffered, also into a pipe);
// - a figure is checked before it is printed: a missing or impossible one (a
//   timeout, a process that exited, -1, NaN) ends the run with its reason and
//   exit status 1, never a number that looks measured;
// - the figures README's Benchmarks table quotes are printed as `row: what |
//   result | baseline` lines, which bench/run.sh collects into that table.
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <string_view>
#include <utility>

namespace mm::bench {

inline std::string& BenchmarkName() {
  static std::string name = "benchmark";
  return name;
}

// What Fail must do before exiting: stop processes that do not die with this one.
inline std::function<void()>& OnFailure() {
  static std::function<void()> cleanup;
  return cleanup;
}

// While in scope, a failure runs `cleanup` first (e.g. stops the sidecars a
// played kubelet spawned: they are not children that die with the benchmark).
class CleanupOnFailure {
 public:
  explicit CleanupOnFailure(std::function<void()> cleanup) { OnFailure() = std::move(cleanup); }
  ~CleanupOnFailure() { OnFailure() = nullptr; }
  CleanupOnFailure(const CleanupOnFailure&) = delete;
  CleanupOnFailure& operator=(const CleanupOnFailure&) = delete;
};

// First thing in main.
inline void StartBenchmark(const char* name) {
  BenchmarkName() = name;
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
}

// "<name>: FAILED: <reason>" on stderr (after what stdout holds), exit status 1.
// _Exit: other threads (clients, a played kubelet) may still run, and static
// destructors under them would crash; the processes a benchmark forks die with
// it (PR_SET_PDEATHSIG), others are stopped by CleanupOnFailure; what they
// logged stays for the reader.
[[noreturn]] inline void Fail(const std::string& reason) {
  std::fflush(stdout);
  std::fprintf(stderr, "%s: FAILED: %s\n", BenchmarkName().c_str(), reason.c_str());
  std::fflush(stderr);
  if (auto cleanup = std::exchange(OnFailure(), nullptr)) cleanup();
  std::_Exit(1);
}

inline void Require(bool ok, const std::string& reason) {
  if (!ok) Fail(reason);
}

// printf into a string.
[[gnu::format(printf, 1, 2)]] inline std::string Format(const char* format, ...) {
  va_list args;
  va_start(args, format);
  va_list copy;
  va_copy(copy, args);
  const int n = std::vsnprintf(nullptr, 0, format, copy);
  va_end(copy);
  std::string out(static_cast<size_t>(n > 0 ? n : 0), '\0');
  if (n > 0) std::vsnprintf(out.data(), out.size() + 1, format, args);
  va_end(args);
  return out;
}

// "106 000": a count the README's way, rounded to a whole number.
inline std::string Grouped(double value) {
  const std::string digits = Format("%.0f", value);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && digits[i - 1] != '-' && (digits.size() - i) % 3 == 0) out += ' ';
    out += digits[i];
  }
  return out;
}

// `value` when it is finite and within [min, max]; otherwise the run fails, naming the figure.
inline double Checked(std::string_view figure, double value, double min, double max = HUGE_VAL) {
  if (!std::isfinite(value) || value < min || value > max) {
    Fail(Format("%.*s is %g, which cannot be a measurement (expected %g to %g)",
                static_cast<int>(figure.size()), figure.data(), value, min, max));
  }
  return value;
}

// One row of README's Benchmarks table (its command is bench/run.sh's to add).
inline void Row(const std::string& what, const std::string& result, const std::string& baseline) {
  std::printf("row: %s | %s | %s\n", what.c_str(), result.c_str(), baseline.c_str());
}

}  // namespace mm::bench
