#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/metrics/prediction.h"
#include "sidecar/protocol/protocol_adapter.h"

namespace mm::sidecar {

// The one conversion from what a protocol adapter found for an instance to the
// value and scores of a store Prediction (id, time and revision are the caller's):
//   number -> value; true/false -> 1/0; a numeric string ("3", "0.5") -> its number;
//   a row of probabilities -> value = argmax (the class index) and scores: a two-class
//     row [p0, p1] gives scores = {p1} (P(class 1); positiveClass 0 reads it as 1 - p1:
//     PositiveScore in common/metrics/accuracy_bucket.h); a one-element row [p]
//     gives scores = {p} and value = p >= 0.5; longer rows keep every probability;
//   anything else (text, objects, empty or mixed rows) -> nullopt: not recordable.
// Never throws.
std::optional<metrics::Prediction> ToStorePrediction(const InstanceOutput& output);

// The join id of instance `instance` of a request with id `request_id` holding
// `instances` instances: the request id itself for a single instance, else
// "<request id>/<instance>" (labels for batch members use that form).
std::string JoinId(std::string_view request_id, uint32_t instance, size_t instances);

}  // namespace mm::sidecar
