#pragma once

#include <nlohmann/json.hpp>

#include "sidecar/protocol/json_selection.h"
#include "sidecar/protocol/protocol_adapter.h"

namespace mm::sidecar {

// A protocol whose responses are one JSON document. Extract parses only the parts
// the protocol reads (its JsonSelection) and hands them to ExtractFrom, which reads
// nothing else; tests run ExtractFrom on the fully parsed document too and compare.
class JsonResponseAdapter : public ProtocolAdapter {
 public:
  Result<Extraction> Extract(std::string_view body) const final;
  // The predictions in a parsed response: the selected parts or the whole document.
  virtual Result<Extraction> ExtractFrom(const nlohmann::json& response) const = 0;
  const JsonSelection& selection() const { return selection_; }

 protected:
  explicit JsonResponseAdapter(JsonSelection selection) : selection_(std::move(selection)) {}

 private:
  JsonSelection selection_;
};

}  // namespace mm::sidecar
