#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "sidecar/protocol/json_path.h"

namespace mm::sidecar {

// The parts of a JSON response an adapter reads, named by JsonPaths. Parse accepts
// exactly the documents nlohmann::json::parse accepts (the whole body is checked)
// but builds only the selected values and the objects and arrays on the way to
// them, each where the whole document has it: an object keeps only its selected
// members (the last of duplicate keys, as nlohmann keeps), an array keeps its length
// (unselected elements are null), a scalar on the way stays what it is. So code that
// reads only selected paths gets from Parse what it gets from nlohmann::json::parse.
//
// Why: building the whole tree of a 1 KB Open Inference Protocol response (strings,
// maps, padding the adapter never reads) was a third of the sidecar's CPU per request.
// The nesting depth of a document: 0 for a scalar, 1 for [] or {}, 2 for [[]]...
// (iterative: any depth).
size_t NestingDepth(const nlohmann::json& doc);

// Parse's answer for a document nested deeper than JsonSelection::kMaxDepth.
Error TooDeep();

class JsonSelection {
 public:
  // Selects what the paths reach, and everything below where a path ends.
  explicit JsonSelection(const std::vector<JsonPath>& paths);
  // The whole document (nlohmann::json::parse itself).
  static JsonSelection Everything();

  // Documents nesting objects and arrays deeper than this are refused: writing a
  // value back as text (an instance's `value`) recurses once per level, and a model
  // response of 100,000 '[' overflowed the stack (it did before JsonSelection too).
  static constexpr size_t kMaxDepth = 128;

  // The selected parts; an Error when the body is not valid JSON or nests deeper
  // than kMaxDepth (the message starts with "the model response").
  Result<nlohmann::json> Parse(std::string_view body) const;

  // The two ways Parse works, for tests. ParsePlain scans documents whose strings are
  // printable ASCII without escapes (model outputs, as a rule) and gives up (nullopt)
  // on anything else, valid or not; ParseAny runs nlohmann's SAX parser on anything.
  std::optional<nlohmann::json> ParsePlain(std::string_view body) const;
  Result<nlohmann::json> ParseAny(std::string_view body) const;

  // A node of the tree of selected paths; index 0 is $.
  struct Node {
    bool whole = false;  // a path ends here: everything below is selected
    std::vector<std::pair<std::string, int32_t>> names;
    std::vector<std::pair<size_t, int32_t>> indices;
    int32_t any = -1;  // [*]
  };
  // The node of a member or element of `node`'s value; -1 when not selected.
  int32_t Member(int32_t node, std::string_view name) const;
  int32_t Element(int32_t node, size_t index) const;

 private:
  JsonSelection() = default;

  std::vector<Node> nodes_;
  bool everything_ = false;
};

}  // namespace mm::sidecar
