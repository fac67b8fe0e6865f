#include "common/metrics/accuracy_report.h"

#include <cmath>
#include <map>
#include <optional>
#include <set>

namespace mm::metrics {
namespace {

void AddClassification(const AccuracyBucket& b, const AccuracyConfig& config, AccuracyReport* r) {
  std::map<int, double> tp, fp, fn;  // per class
  std::set<int> classes;             // present in labels or predictions, as scikit-learn
  double total = 0, correct = 0;
  for (const auto& [key, n] : b.confusion) {
    const auto [label, predicted] = key;
    const double count = static_cast<double>(n);
    classes.insert(label);
    classes.insert(predicted);
    total += count;
    if (label == predicted) {
      correct += count;
      tp[label] += count;
    } else {
      fp[predicted] += count;
      fn[label] += count;
    }
  }
  if (total == 0) return;
  // A ratio with nothing to divide by is undefined, so absent (scikit-learn's
  // zero_division=np.nan): recall with no positive label, precision with no
  // predicted positive. 0 there would read as a model that misses everything and
  // fire a "recall < 0.8" alert on a window that merely held no positive.
  // Macro averages are over the classes where the per-class value is defined
  // (again zero_division=np.nan), and absent when no class has one.
  const auto ratio = [](double num, double den) -> std::optional<double> {
    if (den == 0) return std::nullopt;
    return num / den;
  };
  // F1 needs both: undefined when precision or recall is (stricter than
  // scikit-learn, which reports 0 when only precision is undefined; a window with
  // one positive and no predicted positive is not evidence of a bad model).
  const auto f1 = [&](double tp_c, double fp_c, double fn_c) -> std::optional<double> {
    if (tp_c + fp_c == 0 || tp_c + fn_c == 0) return std::nullopt;
    return 2 * tp_c / (2 * tp_c + fp_c + fn_c);
  };
  struct Mean {
    double sum = 0;
    int n = 0;
    void Add(const std::optional<double>& v) {
      if (!v) return;
      sum += *v;
      ++n;
    }
    std::optional<double> Value() const {
      if (n == 0) return std::nullopt;
      return sum / n;
    }
  };
  r->accuracy = correct / total;
  Mean p_macro, r_macro, f_macro;
  double tp_all = 0, fp_all = 0, fn_all = 0;
  for (int c : classes) {
    p_macro.Add(ratio(tp[c], tp[c] + fp[c]));
    r_macro.Add(ratio(tp[c], tp[c] + fn[c]));
    f_macro.Add(f1(tp[c], fp[c], fn[c]));
    tp_all += tp[c];
    fp_all += fp[c];
    fn_all += fn[c];
  }
  r->precision_macro = p_macro.Value();
  r->recall_macro = r_macro.Value();
  r->f1_macro = f_macro.Value();
  r->precision_micro = ratio(tp_all, tp_all + fp_all);
  r->recall_micro = ratio(tp_all, tp_all + fn_all);
  r->f1_micro = f1(tp_all, fp_all, fn_all);
  if (config.task == api::Task::kBinaryClassification) {
    r->precision = ratio(tp[1], tp[1] + fp[1]);
    r->recall = ratio(tp[1], tp[1] + fn[1]);
    r->f1 = f1(tp[1], fp[1], fn[1]);
  } else {
    r->precision = r->precision_macro;
    r->recall = r->recall_macro;
    r->f1 = r->f1_macro;
  }
  if (b.log_loss_count > 0) {
    r->log_loss = b.log_loss_sum / static_cast<double>(b.log_loss_count);
  }
  // AUC-ROC: binary, the positive class's histogram; multiclass, the unweighted
  // mean of one-vs-rest AUCs (scikit-learn's multi_class="ovr", average="macro"),
  // over the classes that have both positives and negatives.
  double auc_sum = 0, bound_sum = 0;
  int aucs = 0;
  for (const auto& [cls, histogram] : b.scores) {
    ScoreHistogram::Auc auc;
    if (!histogram.ComputeAuc(&auc)) continue;
    auc_sum += auc.value;
    bound_sum += auc.error_bound;
    ++aucs;
  }
  if (aucs > 0) {
    r->auc_roc = auc_sum / aucs;
    r->auc_roc_error_bound = bound_sum / aucs;
  }
}

void AddRegression(const RegressionSums& s, AccuracyReport* r) {
  if (s.count == 0) return;
  const double n = static_cast<double>(s.count);
  r->mae = s.abs_error_sum / n;
  r->rmse = std::sqrt(s.squared_error_sum / n);
  r->mape = s.abs_percent_error_sum / n;
  // scikit-learn's force_finite: a constant label gives 1 for a perfect fit, else 0.
  if (s.label_m2 == 0) {
    r->r2 = s.squared_error_sum == 0 ? 1.0 : 0.0;
  } else {
    r->r2 = 1 - s.squared_error_sum / s.label_m2;
  }
}

}  // namespace

bool LabelDelayQuantile(const AccuracyBucket& b, double q, double* seconds) {
  int64_t total = 0;
  for (int64_t n : b.label_delay_counts) total += n;
  if (total == 0) return false;
  const double rank = q * static_cast<double>(total);
  double below = 0;
  for (size_t i = 0; i < b.label_delay_counts.size(); ++i) {
    const double n = static_cast<double>(b.label_delay_counts[i]);
    if (n > 0 && below + n >= rank) {
      const double lower = i == 0 ? 0 : kLabelDelayBoundsSeconds[i - 1];
      if (i == kLabelDelayBoundsSeconds.size()) {  // +Inf bucket: its lower bound
        *seconds = lower;
      } else {
        *seconds = lower + (kLabelDelayBoundsSeconds[i] - lower) * (rank - below) / n;
      }
      return true;
    }
    below += n;
  }
  *seconds = kLabelDelayBoundsSeconds.back();
  return true;
}

AccuracyReport ComputeAccuracy(const AccuracyBucket& b, const AccuracyConfig& config) {
  AccuracyReport r;
  r.samples = b.recorded;
  r.labeled_samples = b.joined;
  r.expired = b.expired;
  r.evicted = b.evicted;
  r.labeled_unmeasurable = b.joined_unmeasurable;
  // Of the predictions whose fate was decided in the window, the share that got a
  // label. (labelled / recorded over one window would be biased low for any
  // window shorter than the label delay.)
  const int64_t resolved = b.joined + b.expired + b.evicted;
  if (resolved > 0) {
    r.label_coverage = static_cast<double>(b.joined) / static_cast<double>(resolved);
  }
  // The delay is recorded for measurable joins only (AddJoined), so its mean is over those.
  int64_t delays = 0;
  for (int64_t n : b.label_delay_counts) delays += n;
  if (delays > 0) {
    r.label_delay_mean_seconds = b.label_delay_sum_seconds / static_cast<double>(delays);
    for (const auto& [field, q] : {std::pair{&AccuracyReport::label_delay_p50_seconds, 0.5},
                                   std::pair{&AccuracyReport::label_delay_p90_seconds, 0.9},
                                   std::pair{&AccuracyReport::label_delay_p99_seconds, 0.99}}) {
      double s = 0;
      if (LabelDelayQuantile(b, q, &s)) r.*field = s;
    }
  }
  if (config.task == api::Task::kRegression) {
    AddRegression(b.regression, &r);
  } else {
    AddClassification(b, config, &r);
  }
  return r;
}

std::optional<double> AccuracyReport::Of(api::Metric metric) const {
  using M = api::Metric;
  switch (metric) {
    case M::kAccuracy:
      return accuracy;
    case M::kPrecision:
      return precision;
    case M::kRecall:
      return recall;
    case M::kF1:
      return f1;
    case M::kAucRoc:
      return auc_roc;
    case M::kLogLoss:
      return log_loss;
    case M::kMae:
      return mae;
    case M::kRmse:
      return rmse;
    case M::kMape:
      return mape;
    case M::kR2:
      return r2;
    case M::kPredictionPsi:
      return prediction_psi;
    case M::kLabelCoverage:
      return label_coverage;
    case M::kLatencyP50Seconds:
    case M::kLatencyP90Seconds:
    case M::kLatencyP99Seconds:
    case M::kTtftP99Seconds:
    case M::kErrorRate:
    case M::kRequestsPerSecond:
    case M::kCpuCores:
    case M::kMemoryBytes:
    case M::kGpuUtilization:
    case M::kGpuMemoryBytes:
      return std::nullopt;
  }
  return std::nullopt;
}

std::vector<AccuracyReport::NamedValue> AccuracyReport::All() const {
  const auto count = [](int64_t n) { return std::optional<double>(static_cast<double>(n)); };
  return {{"accuracy", accuracy},
          {"precision", precision},
          {"recall", recall},
          {"f1", f1},
          {"precision_macro", precision_macro},
          {"recall_macro", recall_macro},
          {"f1_macro", f1_macro},
          {"precision_micro", precision_micro},
          {"recall_micro", recall_micro},
          {"f1_micro", f1_micro},
          {"auc_roc", auc_roc},
          {"auc_roc_error_bound", auc_roc_error_bound},
          {"log_loss", log_loss},
          {"mae", mae},
          {"rmse", rmse},
          {"mape", mape},
          {"r2", r2},
          {"label_coverage", label_coverage},
          {"prediction_psi", prediction_psi},
          {"samples", count(samples)},
          {"labeled_samples", count(labeled_samples)},
          {"expired", count(expired)},
          {"evicted", count(evicted)},
          {"label_delay_mean_seconds", label_delay_mean_seconds},
          {"label_delay_p50_seconds", label_delay_p50_seconds},
          {"label_delay_p90_seconds", label_delay_p90_seconds},
          {"label_delay_p99_seconds", label_delay_p99_seconds}};
}

}  // namespace mm::metrics
