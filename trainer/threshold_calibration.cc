#include "trainer/threshold_calibration.h"

#include <algorithm>

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
  int64_t taken = 0;
  int64_t correct = 0;
  for (size_t i = 0; i < outcomes.size(); ++i) {
    ++taken;
    if (outcomes[i].correct) ++correct;
    // Only cut between different scores: a threshold keeps or drops equal scores together.
    if (i + 1 < outcomes.size() && outcomes[i + 1].score == outcomes[i].score) continue;
    const double precision = static_cast<double>(correct) / static_cast<double>(taken);
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
  return best;
}

}  // namespace labelloop
