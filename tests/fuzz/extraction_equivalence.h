#pragma once

// What the protocol adapters find by parsing only the fields they read
// (JsonSelection) must be what they found by parsing the whole document
// (nlohmann::json::parse, the sidecar's way before). Used by the fuzz target
// (libFuzzer looks for a difference) and the unit tests (corpora, generated payloads).
#include <cstring>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "sidecar/protocol/json_response_adapter.h"
#include "sidecar/protocol/json_selection.h"

namespace mm::sidecar {

// "ok: <predictions> tokens" or "error: <message>", with every field of each prediction.
inline std::string Describe(const Result<Extraction>& e) {
  if (!e) return "error: " + e.error().message;
  std::string out = "ok:";
  for (const InstanceOutput& p : e->predictions) {
    out += p.row ? " [" : " ";
    for (double x : p.numbers) {
      char bits[sizeof(double)];
      std::memcpy(bits, &x, sizeof bits);  // exact, -0 and 0 differ
      out += nlohmann::json(x).dump() + "#" + std::string(bits, sizeof bits) + ",";
    }
    out += p.json + "|";
  }
  return out + " tokens " + std::to_string(e->output_tokens);
}

// The adapter's answer as the whole-document parse gives it.
inline Result<Extraction> ExtractFromWholeDocument(const JsonResponseAdapter& adapter,
                                                   std::string_view body) {
  const nlohmann::json whole = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (whole.is_discarded()) {
    return Error{std::string(adapter.name()) + ": the model response is not valid JSON (" +
                 std::to_string(body.size()) + " bytes)"};
  }
  // The one rule added: documents deeper than this are refused, not parsed.
  if (NestingDepth(whole) > JsonSelection::kMaxDepth) {
    return Error{std::string(adapter.name()) + ": " + TooDeep().message};
  }
  return adapter.ExtractFrom(whole);
}

// Type-exact equality (nlohmann's == takes 1 and 1.0 as equal; adapters do not).
inline bool SameJson(const nlohmann::json& a, const nlohmann::json& b) {
  if (a.type() != b.type()) return false;
  if (a.is_array()) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
      if (!SameJson(a[i], b[i])) return false;
    }
    return true;
  }
  if (a.is_object()) {
    if (a.size() != b.size()) return false;
    for (auto ia = a.begin(), ib = b.begin(); ia != a.end(); ++ia, ++ib) {
      if (ia.key() != ib.key() || !SameJson(ia.value(), ib.value())) return false;
    }
    return true;
  }
  if (a.is_number_float()) {
    const double x = a.get<double>(), y = b.get<double>();
    return std::memcmp(&x, &y, sizeof x) == 0;
  }
  return a == b;
}

// Empty when the adapter's two ways agree on `body` (and the selection's plain
// scanner, where it takes the body, builds what nlohmann's SAX parser builds);
// else what differed.
inline std::string ExtractionDifference(const JsonResponseAdapter& adapter, std::string_view body) {
  const std::string whole = Describe(ExtractFromWholeDocument(adapter, body));
  const std::string selected = Describe(adapter.Extract(body));
  if (whole != selected) {
    return std::string(adapter.name()) + ": whole document gives \"" + whole +
           "\", selected fields give \"" + selected + "\"";
  }
  if (auto plain = adapter.selection().ParsePlain(body)) {
    auto any = adapter.selection().ParseAny(body);
    if (!any.ok() || !SameJson(*plain, *any)) {
      return std::string(adapter.name()) + ": the plain scanner built " + plain->dump() +
             ", nlohmann's SAX parser " + (any.ok() ? any->dump() : any.error().message);
    }
  }
  return "";
}

}  // namespace mm::sidecar
