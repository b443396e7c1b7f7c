#include "trainer/threshold_calibration.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace labelloop {

std::vector<ScoredOutcome> MatchPredictions(const std::vector<ValidationImage>& images,
                                            int num_classes, double iou_threshold,
                                            int64_t* num_truth_boxes) {
  std::vector<ScoredOutcome> outcomes;
  int64_t boxes = 0;
  for (const ValidationImage& image : images) {
    for (int c = 1; c <= num_classes; ++c) {
      std::vector<const AnalysisBox*> truth;
      std::vector<const AnalysisBox*> predictions;
      for (const AnalysisBox& box : image.truth) {
        if (box.label == c) truth.push_back(&box);
      }
      for (const AnalysisBox& box : image.predictions) {
        if (box.label == c) predictions.push_back(&box);
      }
      boxes += static_cast<int64_t>(truth.size());
      std::stable_sort(
          predictions.begin(), predictions.end(),
          [](const AnalysisBox* a, const AnalysisBox* b) { return a->score > b->score; });
      std::vector<bool> used(truth.size(), false);
      for (const AnalysisBox* prediction : predictions) {
        double best_iou = iou_threshold;
        int best = -1;
        for (size_t t = 0; t < truth.size(); ++t) {
          if (used[t]) continue;
          const double iou = BoxIou(*prediction, *truth[t]);
          if (iou >= best_iou) {
            best_iou = iou;
            best = static_cast<int>(t);
          }
        }
        if (best >= 0) used[static_cast<size_t>(best)] = true;
        outcomes.push_back({prediction->score, best >= 0});
      }
    }
  }
  if (num_truth_boxes != nullptr) *num_truth_boxes = boxes;
  return outcomes;
}

CalibratedThreshold CalibrateThreshold(std::vector<ScoredOutcome> outcomes, int64_t num_truth_boxes,
                                       const CalibrationOptions& options) {
  std::sort(outcomes.begin(), outcomes.end(),
            [](const ScoredOutcome& a, const ScoredOutcome& b) { return a.score > b.score; });
  CalibratedThreshold best;
  best.target_precision = options.target_precision;
  best.predictions = static_cast<int64_t>(outcomes.size());
  int64_t taken = 0;
  int64_t correct = 0;
  // The most precise cut with enough support, for the reason when none reaches the target.
  double best_supported_precision = -1;
  for (size_t i = 0; i < outcomes.size(); ++i) {
    ++taken;
    if (outcomes[i].correct) ++correct;
    // Only cut between different scores: a threshold keeps or drops equal scores together.
    if (i + 1 < outcomes.size() && outcomes[i + 1].score == outcomes[i].score) continue;
    const double precision = static_cast<double>(correct) / static_cast<double>(taken);
    if (taken >= options.min_support) {
      best_supported_precision = std::max(best_supported_precision, precision);
    }
    if (taken >= options.min_support && precision >= options.target_precision) {
      // Scores descend, so each qualifying cut is lower than the previous one.
      best.found = true;
      best.threshold = outcomes[i].score;
      best.precision = precision;
      best.support = taken;
      best.recall = num_truth_boxes > 0
                        ? static_cast<double>(correct) / static_cast<double>(num_truth_boxes)
                        : 0;
    }
  }
  if (best.found) return best;
  if (best.predictions < options.min_support) {
    best.reason =
        absl::StrCat("too little evidence: ", best.predictions,
                     " validation predictions, fewer than min_support ", options.min_support);
  } else {
    best.reason = absl::StrFormat(
        "target precision %.3f not reached: at most %.3f with at least %d validation predictions",
        options.target_precision, best_supported_precision, options.min_support);
  }
  return best;
}

}  // namespace labelloop
