#include "sidecar/labels/label_batch.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <nlohmann/json.hpp>

namespace mm::sidecar {
namespace {

using nlohmann::json;

// Deeper than a label batch ever is ({"labels":[{...}]} is 3). Checked before
// parsing so hostile nesting never reaches the parser or the destructor.
constexpr int kMaxDepth = 8;

bool NestedTooDeep(std::string_view text) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxDepth) return true;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return false;
}

std::string Shorten(std::string_view s) {
  constexpr size_t kMax = 64;
  return s.size() <= kMax ? std::string(s) : std::string(s.substr(0, kMax)) + "...";
}

// The label's value, or the reason it is not one.
Result<double> LabelValue(const json& v, LabelKind kind, int max_classes) {
  double x = 0;
  if (v.is_boolean()) {
    x = v.get<bool>() ? 1 : 0;
  } else if (v.is_number()) {
    x = v.get<double>();
  } else if (v.is_string()) {
    const std::string& s = v.get_ref<const std::string&>();
    char* end = nullptr;
    errno = 0;
    x = std::strtod(s.c_str(), &end);
    if (s.empty() || end != s.c_str() + s.size() || errno != 0) {
      return Error{"\"" + Shorten(s) + "\" is not a number"};
    }
  } else {
    return Error{"is " + std::string(v.type_name()) +
                 " (use a number, a numeric string or a bool)"};
  }
  if (!std::isfinite(x)) return Error{"is not finite"};
  if (kind == LabelKind::kClass &&
      (x != std::floor(x) || x < 0 || x >= static_cast<double>(max_classes))) {
    return Error{json(x).dump() + " is not a class (use an integer 0.." +
                 std::to_string(max_classes - 1) + ")"};
  }
  return x;
}

// One item; false and a reason when it is invalid.
bool ParseItem(const json& item, LabelKind kind, const LabelLimits& limits, metrics::Label* out,
               std::string* reason) {
  if (!item.is_object()) {
    *reason = "is " + std::string(item.type_name()) + ", not an object {\"id\":...,\"label\":...}";
    return false;
  }
  const auto id = item.find("id");
  if (id == item.end() || !id->is_string() || id->get_ref<const std::string&>().empty()) {
    *reason = ".id: missing or not a non-empty string";
    return false;
  }
  const std::string& id_text = id->get_ref<const std::string&>();
  if (id_text.size() > limits.max_id_bytes) {
    *reason = ".id: " + std::to_string(id_text.size()) + " bytes (at most " +
              std::to_string(limits.max_id_bytes) + ")";
    return false;
  }
  const auto label = item.find("label");
  if (label == item.end()) {
    *reason = ".label: missing";
    return false;
  }
  auto value = LabelValue(*label, kind, limits.max_classes);
  if (!value) {
    *reason = ".label: " + value.error().message;
    return false;
  }
  out->id = id_text;
  out->value = value.value();
  return true;
}

void AddItem(const json& item, size_t index, const std::string& where, LabelKind kind,
             const LabelLimits& limits, LabelBatch* batch) {
  ++batch->received;
  metrics::Label label;
  std::string reason;
  if (ParseItem(item, kind, limits, &label, &reason)) {
    batch->labels.push_back(std::move(label));
    return;
  }
  ++batch->invalid;
  if (batch->problems.size() < limits.max_reasons) {
    batch->problems.push_back(LabelProblem{index, where + reason});
  }
}

Status CheckSize(std::string_view body, const LabelLimits& limits) {
  if (body.size() > limits.max_body_bytes) {
    return Error{"label batch is " + std::to_string(body.size()) + " bytes (at most " +
                 std::to_string(limits.max_body_bytes) + "; split it or use NDJSON batches)"};
  }
  return OkStatus();
}

}  // namespace

Result<LabelBatch> ParseLabelsJson(std::string_view body, LabelKind kind,
                                   const LabelLimits& limits) {
  if (auto s = CheckSize(body, limits); !s) return s.error();
  if (NestedTooDeep(body)) {
    return Error{"label batch nests deeper than " + std::to_string(kMaxDepth) +
                 " levels (use {\"labels\":[{\"id\":\"...\",\"label\":1}]})"};
  }
  const json doc = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) {
    return Error{"label batch is not valid JSON (use {\"labels\":[{\"id\":\"...\",\"label\":1}])"};
  }
  const auto labels = doc.is_object() ? doc.find("labels") : doc.end();
  if (!doc.is_object() || labels == doc.end() || !labels->is_array()) {
    return Error{
        "label batch has no \"labels\" array (use {\"labels\":[{\"id\":\"...\",\"label\":1}])"};
  }
  if (labels->size() > limits.max_labels) {
    return Error{"label batch has " + std::to_string(labels->size()) + " labels (at most " +
                 std::to_string(limits.max_labels) + " per request)"};
  }
  LabelBatch batch;
  batch.labels.reserve(labels->size());
  for (size_t i = 0; i < labels->size(); ++i) {
    AddItem((*labels)[i], i, "labels[" + std::to_string(i) + "]", kind, limits, &batch);
  }
  return batch;
}

Result<LabelBatch> ParseLabelsNdjson(std::string_view body, LabelKind kind,
                                     const LabelLimits& limits) {
  if (auto s = CheckSize(body, limits); !s) return s.error();
  LabelBatch batch;
  size_t line_number = 0;
  size_t start = 0;
  while (start < body.size()) {
    size_t end = body.find('\n', start);
    if (end == std::string_view::npos) end = body.size();
    std::string_view line = body.substr(start, end - start);
    start = end + 1;
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
    if (batch.received >= limits.max_labels) {
      return Error{"label batch has more than " + std::to_string(limits.max_labels) +
                   " lines (at most " + std::to_string(limits.max_labels) + " per request)"};
    }
    const std::string where = "line " + std::to_string(line_number);
    json item = NestedTooDeep(line) ? json(json::value_t::discarded)
                                    : json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (item.is_discarded()) {
      ++batch.received;
      ++batch.invalid;
      if (batch.problems.size() < limits.max_reasons) {
        batch.problems.push_back(LabelProblem{line_number, where + ": not a JSON object"});
      }
      continue;
    }
    AddItem(item, line_number, where, kind, limits, &batch);
  }
  return batch;
}

bool IsNdjsonContentType(std::string_view content_type) {
  const std::string_view type = content_type.substr(0, content_type.find(';'));
  std::string lower;
  for (char c : type) {
    if (c != ' ') lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  return lower == "application/x-ndjson" || lower == "application/ndjson" ||
         lower == "application/jsonl";
}

}  // namespace mm::sidecar
