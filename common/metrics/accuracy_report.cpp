#include "common/metrics/accuracy_report.h"

#include <cmath>
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
  const auto ratio = [](double num, double den) {
    return den == 0 ? 0.0 : num / den;  // scikit-learn's zero_division=0
  };
  (*r)["accuracy"] = correct / total;
  double p_sum = 0, r_sum = 0, f_sum = 0, tp_all = 0, fp_all = 0, fn_all = 0;
  for (int c : classes) {
    const double precision = ratio(tp[c], tp[c] + fp[c]);
    const double recall = ratio(tp[c], tp[c] + fn[c]);
    p_sum += precision;
    r_sum += recall;
    f_sum += ratio(2 * tp[c], 2 * tp[c] + fp[c] + fn[c]);
    tp_all += tp[c];
    fp_all += fp[c];
    fn_all += fn[c];
  }
  const double k = static_cast<double>(classes.size());
  (*r)["precision_macro"] = p_sum / k;
  (*r)["recall_macro"] = r_sum / k;
  (*r)["f1_macro"] = f_sum / k;
  (*r)["precision_micro"] = ratio(tp_all, tp_all + fp_all);
  (*r)["recall_micro"] = ratio(tp_all, tp_all + fn_all);
  (*r)["f1_micro"] = ratio(2 * tp_all, 2 * tp_all + fp_all + fn_all);
  if (config.task == api::Task::kBinaryClassification) {
    (*r)["precision"] = ratio(tp[1], tp[1] + fp[1]);
    (*r)["recall"] = ratio(tp[1], tp[1] + fn[1]);
    (*r)["f1"] = ratio(2 * tp[1], 2 * tp[1] + fp[1] + fn[1]);
  } else {
    (*r)["precision"] = (*r)["precision_macro"];
    (*r)["recall"] = (*r)["recall_macro"];
    (*r)["f1"] = (*r)["f1_macro"];
  }
  if (b.log_loss_count > 0) {
    (*r)["log_loss"] = b.log_loss_sum / static_cast<double>(b.log_loss_count);
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
    (*r)["auc_roc"] = auc_sum / aucs;
    (*r)["auc_roc_error_bound"] = bound_sum / aucs;
  }
}

void AddRegression(const RegressionSums& s, AccuracyReport* r) {
  if (s.count == 0) return;
  const double n = static_cast<double>(s.count);
  (*r)["mae"] = s.abs_error_sum / n;
  (*r)["rmse"] = std::sqrt(s.squared_error_sum / n);
  (*r)["mape"] = s.abs_percent_error_sum / n;
  // scikit-learn's force_finite: a constant label gives 1 for a perfect fit, else 0.
  if (s.label_m2 == 0) {
    (*r)["r2"] = s.squared_error_sum == 0 ? 1.0 : 0.0;
  } else {
    (*r)["r2"] = 1 - s.squared_error_sum / s.label_m2;
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
  r["samples"] = static_cast<double>(b.recorded);
  r["labeled_samples"] = static_cast<double>(b.joined);
  r["expired"] = static_cast<double>(b.expired);
  r["evicted"] = static_cast<double>(b.evicted);
  r["labeled_unmeasurable"] = static_cast<double>(b.joined_unmeasurable);
  // Of the predictions whose fate was decided in the window, the share that got a
  // label. (labelled / recorded over one window would be biased low for any
  // window shorter than the label delay.)
  const int64_t resolved = b.joined + b.expired + b.evicted;
  if (resolved > 0) {
    r["label_coverage"] = static_cast<double>(b.joined) / static_cast<double>(resolved);
  }
  if (b.joined > 0) {
    r["label_delay_mean_seconds"] = b.label_delay_sum_seconds / static_cast<double>(b.joined);
    for (const auto& [name, q] :
         {std::pair{"label_delay_p50_seconds", 0.5}, std::pair{"label_delay_p90_seconds", 0.9},
          std::pair{"label_delay_p99_seconds", 0.99}}) {
      double s = 0;
      if (LabelDelayQuantile(b, q, &s)) r[name] = s;
    }
  }
  if (config.task == api::Task::kRegression) {
    AddRegression(b.regression, &r);
  } else {
    AddClassification(b, config, &r);
  }
  return r;
}

}  // namespace mm::metrics
