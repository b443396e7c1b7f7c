#ifndef LABELLOOP_SAMPLER_UNCERTAINTY_H_
#define LABELLOOP_SAMPLER_UNCERTAINTY_H_

#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "sampler/scored_detection.h"

namespace labelloop {

// Uncertainty of detections and images. Every score is in [0, 1]; higher means more worth
// labeling.
//
// The distribution. FCOS predicts K independent sigmoids p_1..p_K per location (no softmax, no
// background class), so "the class distribution" has to be defined. We take the K+1 mutually
// exclusive outcomes {exactly class k fires, no class fires (background)} of that independent
// model and condition on one of them happening:
//
//   q_k  = p_k * prod_{j != k} (1 - p_j) / Z,   q_bg = prod_j (1 - p_j) / Z,
//
// which simplifies to q = softmax(logit_1, ..., logit_K, 0) with logit_k = log(p_k / (1 - p_k)):
// the background is an outcome with logit 0. Why this and not renormalising [p_1..p_K, p_bg]:
// it is the model's own joint probability restricted to sensible outcomes, so for K = 1 it is
// exactly the Bernoulli [p, 1 - p] the sigmoid was trained as, and the background enters through
// the same algebra as the classes. Probabilities are clamped to [1e-6, 1 - 1e-6] first.
// A detection with an empty class_probs uses its score as the probability of its one class.
//
// Per-detection measures, all over q (so a barely-above-threshold detection, which q calls
// confidently background, is NOT uncertain; a p = 0.5 "object or not?" detection is):
//   least confidence  LC = (1 - max_i q_i) * (K + 1) / K      (the factor maps its max to 1)
//   entropy           H  = -sum_i q_i ln q_i / ln(K + 1)
//   margin            M  = 1 - (q_(1) - q_(2))                (top two of q, background included)

enum class UncertaintyMeasure { kLeastConfidence, kEntropy, kMargin };

// How per-detection scores become one image score (the input is never empty here):
//   max    max_i u_i
//   mean   sum_i u_i / n
//   sum    1 - exp(-sum_i u_i): the sum squashed into [0, 1) by a function that is ~sum for small
//          sums and saturates, so an image with many uncertain objects ranks above one with few
//          without an unbounded score (sum 1 -> 0.63, 2 -> 0.86, 3 -> 0.95)
//   topk   mean of the k largest u_i (all of them when n < k)
enum class ScoreAggregation { kMax, kMean, kSum, kTopKMean };

// Names as the config spells them: "least_confidence", "entropy", "margin"; "max", "mean",
// "sum", "topk". InvalidArgument otherwise.
absl::StatusOr<UncertaintyMeasure> ParseUncertaintyMeasure(absl::string_view name);
absl::StatusOr<ScoreAggregation> ParseScoreAggregation(absl::string_view name);
absl::string_view UncertaintyMeasureName(UncertaintyMeasure measure);
absl::string_view ScoreAggregationName(ScoreAggregation aggregation);

// q over K+1 outcomes: the classes in class_probs order, then the background last.
std::vector<double> ExclusiveClassDistribution(absl::Span<const float> class_probs);

// The measures above on a distribution q (non-empty, sums to 1). A one-outcome distribution
// (K = 0) is certain: 0.
double LeastConfidence(absl::Span<const double> q);
double NormalizedEntropy(absl::Span<const double> q);
double Margin(absl::Span<const double> q);

// One score per measure.
struct UncertaintyParts {
  double least_confidence = 0;
  double entropy = 0;
  double margin = 0;
  double Get(UncertaintyMeasure measure) const;
};

UncertaintyParts ScoreDetection(const ScoredDetection& detection);

// `scores` must not be empty; topk >= 1.
double AggregateScores(absl::Span<const double> scores, ScoreAggregation aggregation, int topk);

struct ImageUncertaintyOptions {
  UncertaintyMeasure measure = UncertaintyMeasure::kEntropy;
  ScoreAggregation aggregation = ScoreAggregation::kMax;
  int topk = 3;
  // The score of an image with no detection at or above min_detection_score. Not 0: an image the
  // model sees nothing in may hold objects it cannot detect yet (a new class, an unusual scene),
  // so by default it sits in the middle of the ranking rather than at the bottom.
  double empty_image_uncertainty = 0.5;
  double min_detection_score = 0.05;
};

struct ImageUncertainty {
  // parts.Get(measure): the ranking score, in [0, 1].
  double score = 0;
  // Every measure, aggregated the same way (so the API can show all three); on an empty image
  // all equal empty_image_uncertainty.
  UncertaintyParts parts;
  // Detections at or above min_detection_score, the ones aggregated.
  int detections_used = 0;
  // True when the score came from the empty-image rule.
  bool empty = false;
};

ImageUncertainty ScoreImageUncertainty(absl::Span<const ScoredDetection> detections,
                                       const ImageUncertaintyOptions& options);

}  // namespace labelloop

#endif  // LABELLOOP_SAMPLER_UNCERTAINTY_H_
