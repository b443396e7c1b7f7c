#ifndef LABELLOOP_SAMPLER_TTA_CONSISTENCY_H_
#define LABELLOOP_SAMPLER_TTA_CONSISTENCY_H_

#include <vector>

#include "absl/types/span.h"
#include "sampler/scored_detection.h"

namespace labelloop {

// Test-time-augmentation consistency, after consistency-based active learning for detection
// (Elezi et al. 2022; Yu et al., CALD, 2022): run the detector on the image and on transformed
// views (horizontal flip, rescale), map the views' boxes back to the original image, match boxes
// across views, and score how much the views disagree. A model that changes its mind under a
// flip has not learned the image yet. Every score is in [0, 1]; higher = more worth labeling.

double BoxIou(const BoxXyxy& a, const BoxXyxy& b);

// Maps boxes found in a transformed view back to the original image's pixels.
// Horizontal flip of an image `image_width` wide: x -> image_width - x (x1 and x2 swap roles).
std::vector<ScoredDetection> UnflipHorizontal(std::vector<ScoredDetection> detections,
                                              float image_width);
// A view resized to (scale_x * width, scale_y * height): coordinates divided by the scales.
std::vector<ScoredDetection> Unscale(std::vector<ScoredDetection> detections, float scale_x,
                                     float scale_y);

struct BoxMatch {
  int original = 0;  // index into the original view's detections
  int view = 0;      // index into the other view's detections
  double iou = 0;
};

// Greedy one-to-one matching, class-agnostic (so a label flip shows up as class disagreement, not
// as two unmatched boxes): pairs with IoU >= min_iou by decreasing IoU (ties: lower indices
// first), each box used at most once. Greedy rather than Hungarian: with NMS'd detections the
// pairs above a 0.5 IoU are nearly always unambiguous, and greedy is what CALD uses.
std::vector<BoxMatch> MatchBoxesGreedy(absl::Span<const ScoredDetection> original,
                                       absl::Span<const ScoredDetection> view, double min_iou);

// Jensen-Shannon divergence between two distributions of the same size, divided by ln 2 so it is
// in [0, 1].
double NormalizedJensenShannon(absl::Span<const double> p, absl::Span<const double> q);

struct TtaOptions {
  double match_iou = 0.5;
  // Detections below this score are ignored in every view.
  double min_detection_score = 0.05;
  // score = box_weight * box disagreement + (1 - box_weight) * class disagreement.
  double box_weight = 0.5;
};

// How one view disagrees with the original. Each term is a score-weighted mean over
//   - matched pairs, weight max(score_a, score_b):
//       box   1 - IoU
//       class JS divergence of the two exclusive class distributions (see uncertainty.h) when
//             both carry class_probs of one size; otherwise 0 if the labels agree, 1 if not
//   - unmatched detections of either view, weight = their score: box 1, class 1 (one view saw
//     an object where the other saw background).
// Both views empty: 0 (they agree there is nothing).
struct ViewConsistency {
  double box_disagreement = 0;
  double class_disagreement = 0;
  double score = 0;
  int matched = 0;
  int unmatched_original = 0;
  int unmatched_view = 0;
};

ViewConsistency CompareViews(absl::Span<const ScoredDetection> original,
                             absl::Span<const ScoredDetection> view, const TtaOptions& options);

// The mean over views of each term (no views: all 0), with the per-view details.
struct TtaConsistency {
  double score = 0;
  double box_disagreement = 0;
  double class_disagreement = 0;
  std::vector<ViewConsistency> views;
};

// `views` are already mapped back to the original image (UnflipHorizontal, Unscale).
TtaConsistency ScoreTtaConsistency(absl::Span<const ScoredDetection> original,
                                   const std::vector<std::vector<ScoredDetection>>& views,
                                   const TtaOptions& options);

}  // namespace labelloop

#endif  // LABELLOOP_SAMPLER_TTA_CONSISTENCY_H_
