#include "sampler/image_score.h"

#include <algorithm>

namespace labelloop {

ImageScore ScoreImage(absl::Span<const ScoredDetection> detections,
                      const std::vector<std::vector<ScoredDetection>>& views,
                      const SamplerOptions& options) {
  ImageScore score;
  score.detection_uncertainty = ScoreImageUncertainty(detections, options.uncertainty);
  score.uncertainty = score.detection_uncertainty.score;
  for (const ScoredDetection& d : detections) {
    // Label 0 is the detector's background slot (only an untrained head predicts it).
    if (d.score >= options.uncertainty.min_detection_score && d.label > 0) {
      score.predicted_classes.push_back(d.label);
    }
  }
  std::sort(score.predicted_classes.begin(), score.predicted_classes.end());
  score.predicted_classes.erase(
      std::unique(score.predicted_classes.begin(), score.predicted_classes.end()),
      score.predicted_classes.end());

  if (!views.empty()) {
    score.tta = ScoreTtaConsistency(detections, views, options.tta);
    if (options.rank_by_tta) {
      bool any_seen = !score.detection_uncertainty.empty;
      for (const ViewConsistency& view : score.tta->views) {
        any_seen = any_seen || view.matched + view.unmatched_view > 0;
      }
      score.uncertainty = any_seen ? score.tta->score : options.uncertainty.empty_image_uncertainty;
    }
  }
  return score;
}

}  // namespace labelloop
