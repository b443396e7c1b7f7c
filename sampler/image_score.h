#ifndef LABELLOOP_SAMPLER_IMAGE_SCORE_H_
#define LABELLOOP_SAMPLER_IMAGE_SCORE_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "absl/types/span.h"
#include "sampler/sampler_options.h"
#include "sampler/scored_detection.h"
#include "sampler/tta_consistency.h"
#include "sampler/uncertainty.h"

namespace labelloop {

// One image's score under the configured strategy, with the parts the API reports.
struct ImageScore {
  // The ranking uncertainty in [0, 1], higher = more worth labeling: the TTA consistency score
  // when options.rank_by_tta (and views were scored), otherwise detection_uncertainty.score.
  double uncertainty = 0;
  // Per-detection uncertainty aggregated per image (all three measures in .parts).
  ImageUncertainty detection_uncertainty;
  // Present when views were given.
  std::optional<TtaConsistency> tta;
  // Distinct labels (> 0: not the background slot) of the detections at or above
  // min_detection_score, ascending (for the rare-class boost).
  std::vector<int64_t> predicted_classes;
};

// `views` as ImageScorer returns them (mapped back to the original image); may be empty.
// Ranked by TTA, an image where no view detects anything gets empty_image_uncertainty like any
// empty image (views that agree on nothing are not evidence the model understands the image).
ImageScore ScoreImage(absl::Span<const ScoredDetection> detections,
                      const std::vector<std::vector<ScoredDetection>>& views,
                      const SamplerOptions& options);

}  // namespace labelloop

#endif  // LABELLOOP_SAMPLER_IMAGE_SCORE_H_
