// CPU per model response of finding its predictions, for each protocol adapter on a
// 1 KB response like the proxy benchmark's (bench/lib.sh make_body). Baseline in the
// same run: the same adapter logic on nlohmann::json::parse's whole document (what
// the sidecar did before JsonSelection).
//   protocol_adapters_bench [--iterations 200000]
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "bench/figures.h"
#include "sidecar/protocol/generic_json_adapter.h"
#include "sidecar/protocol/kserve_v1_adapter.h"
#include "sidecar/protocol/open_inference_v2_adapter.h"
#include "sidecar/protocol/openai_adapter.h"

namespace {

using Clock = std::chrono::steady_clock;
using nlohmann::json;

// Pads a body to about 1 KB with a parameters string, as bench/lib.sh does.
std::string Padded(json body) {
  std::string s = body.dump();
  body["parameters"] = {{"pad", std::string(s.size() < 1000 ? 1000 - s.size() : 0, 'x')}};
  return body.dump();
}

std::string OpenInferenceResponse() {
  json data = json::array();
  for (int i = 0; i < 120; ++i) data.push_back(std::round((0.1 + i * 0.001) * 1000) / 1000);
  return Padded(
      {{"model_name", "fraud"},
       {"model_version", "v1"},
       {"id", "bench"},
       {"outputs",
        {{{"name", "predict_proba"}, {"shape", {60, 2}}, {"datatype", "FP32"}, {"data", data}}}}});
}

std::string KServeResponse() {
  json rows = json::array();
  for (int i = 0; i < 60; ++i) rows.push_back({0.9 - i * 0.001, 0.1 + i * 0.001});
  return Padded({{"predictions", rows}});
}

std::string OpenAiResponse() {
  return Padded({{"id", "chatcmpl-1"},
                 {"object", "chat.completion"},
                 {"model", "m"},
                 {"choices",
                  {{{"index", 0},
                    {"finish_reason", "stop"},
                    {"message", {{"role", "assistant"}, {"content", "Hello there"}}}}}},
                 {"usage", {{"prompt_tokens", 9}, {"completion_tokens", 12}}}});
}

template <typename F>
double MicrosPerCall(int iterations, F&& f) {
  size_t sink = 0;
  const auto start = Clock::now();
  for (int i = 0; i < iterations; ++i) sink += f();
  const double us = std::chrono::duration<double, std::micro>(Clock::now() - start).count();
  mm::bench::Require(sink > 0, "the adapter found no predictions in its response");
  return us / iterations;
}

}  // namespace

int main(int argc, char** argv) {
  mm::bench::StartBenchmark("protocol_adapters_bench");
  CLI::App app{"protocol adapter CPU per response"};
  int iterations = 200000;
  app.add_option("--iterations", iterations)->capture_default_str()->check(CLI::Range(1, 1 << 30));
  CLI11_PARSE(app, argc, argv);
  using namespace mm::sidecar;
  const OpenInferenceV2Adapter oip;
  const KServeV1Adapter kserve;
  const OpenAiAdapter openai;
  const GenericJsonAdapter generic(JsonPath::Parse("$.predictions").value());
  struct Case {
    const char* name;
    const JsonResponseAdapter& adapter;
    std::string body;
  };
  const Case cases[] = {{"open-inference-v2", oip, OpenInferenceResponse()},
                        {"kserve-v1", kserve, KServeResponse()},
                        {"json $.predictions", generic, KServeResponse()},
                        {"openai", openai, OpenAiResponse()}};
  std::printf("%-20s %6s %14s %14s %8s\n", "adapter", "bytes", "whole_doc_us", "selected_us",
              "speedup");
  std::map<std::string, std::pair<double, double>> us;  // name -> (whole document, selected)
  for (const Case& c : cases) {
    auto count = [](const mm::Result<Extraction>& e) -> size_t {
      return e ? e->predictions.size() : 0;
    };
    const double whole = MicrosPerCall(iterations, [&] {
      return count(c.adapter.ExtractFrom(json::parse(c.body, nullptr, false)));
    });
    const double selected =
        MicrosPerCall(iterations, [&] { return count(c.adapter.Extract(c.body)); });
    std::printf("%-20s %6zu %14.2f %14.2f %7.2fx\n", c.name, c.body.size(), whole, selected,
                whole / selected);
    us[c.name] = {mm::bench::Checked(std::string(c.name) + " whole document", whole, 1e-4),
                  mm::bench::Checked(std::string(c.name) + " selected", selected, 1e-4)};
  }
  // Two significant figures, as README writes them: 6.5, 16, 1.5.
  auto three = [&](bool selected) {
    std::string out;
    for (const char* name : {"open-inference-v2", "kserve-v1", "openai"}) {
      const double v = selected ? us[name].second : us[name].first;
      out += (out.empty() ? "" : " / ") + mm::bench::Format(v < 10 ? "%.1f" : "%.0f", v);
    }
    return out;
  };
  mm::bench::Row(
      "protocol adapters alone, 1 KB response (open-inference-v2 / kserve-v1 / openai)",
      three(true) + " µs per response",
      "the same logic on a whole-document `nlohmann::json::parse`: " + three(false) + " µs");
  return 0;
}
