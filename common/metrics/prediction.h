#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace mm::metrics {

// Milliseconds since the Unix epoch. Every time in the store and the accuracy
// metrics is one of these, passed in by the caller (the clock is injected).
using TimeMs = int64_t;

// One prediction the proxy observed, as the store keeps it until its label comes.
//
// `value` is what the model answered: the predicted class (an integer class index,
// for classification) or the predicted number (regression). `scores` are optional:
// binary classification: {P(positive class)}; multiclass: one probability per
// class, index = class. When scores are present for a classifier, the class used
// for the confusion matrix comes from them (threshold for binary, argmax for
// multiclass); `value` is kept as the model's own answer.
struct Prediction {
  std::string id;              // the join key (the request id header)
  TimeMs time = 0;             // when the prediction was made
  std::string model_revision;  // e.g. the pod-template-hash or model version
  double value = 0;
  std::vector<double> scores;
};

// A label as the store applies it: ground truth for prediction `id`.
// Classification: the class index; regression: the true value.
struct Label {
  std::string id;
  double value = 0;
};

// A prediction and the label that arrived for it, handed to the metrics.
struct JoinedLabel {
  Prediction prediction;
  double label = 0;
  TimeMs joined_at = 0;  // when the label was joined (metrics bucket by this time)
};

}  // namespace mm::metrics
