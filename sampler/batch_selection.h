#ifndef LABELLOOP_SAMPLER_BATCH_SELECTION_H_
#define LABELLOOP_SAMPLER_BATCH_SELECTION_H_

#include <cstdint>
#include <map>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "sampler/kcenter_greedy.h"

namespace labelloop {

// Which images to label next, given the serving model's scores of the unlabeled pool.
//
//   random             b images uniformly from the pool: the baseline every strategy is
//                      measured against.
//   least_confidence,  the b most uncertain images (the caller scored the pool with that
//   entropy, margin,   measure, or with TTA consistency for tta). Pure: no random share, no
//   tta                boost, so they are honest single-criterion baselines.
//   hybrid (default)   b_r = round(random_share * b) images at random from the whole pool, so the
//                      labeled set stays an unbiased sample of it; the other b_u = b - b_r from a
//                      candidate set of the top m = candidate_factor * b_u images by (boosted)
//                      uncertainty, chosen inside it by k-center greedy over pooled embeddings,
//                      starting from the labeled images' embeddings. Uncertainty alone picks
//                      near-duplicates (the same hard scene b times); k-center spreads the batch
//                      while the candidate set keeps it informative.
enum class SamplingStrategy { kRandom, kLeastConfidence, kEntropy, kMargin, kTta, kHybrid };

// "random", "least_confidence", "entropy", "margin", "tta", "hybrid"; InvalidArgument otherwise.
absl::StatusOr<SamplingStrategy> ParseSamplingStrategy(absl::string_view name);
absl::string_view SamplingStrategyName(SamplingStrategy strategy);

struct BatchSelectionOptions {
  SamplingStrategy strategy = SamplingStrategy::kHybrid;
  int candidate_factor = 5;
  double random_share = 0.1;
  // Hybrid only. rarity(image) = max over its predicted classes c of conf_c x (1 - n_c / n_max),
  // conf_c the image's top pre-label score of class c (1 when not given), n_c the labeled boxes
  // of class c and n_max the largest n_c (a class never labeled has rarity conf_c; with no labels
  // at all every rarity is 0, as nothing is known to be rare). The boost weighs twice: the
  // candidate ranking key is uncertainty * (1 + rare_class_boost * rarity), and each k-center
  // pick maximises distance * (1 + rare_class_boost * rarity), with n_c counting the batch's
  // earlier picks too (each adding conf_c of its predicted classes), so a batch does not fill up
  // with one rare class. Weighting by confidence matters: a weak model's pre-labels name most
  // classes in most images, and counted as certain they would make every image look rare.
  // 0 turns it off.
  double rare_class_boost = 0.0;
  // Hybrid only, >= 0: labeling cost in boxes. Both weights above (the candidate key and each
  // k-center pick's weight) are divided by (1 + expected_boxes)^box_cost, so hybrid trades
  // information against the boxes an annotator will draw (1: value per box; the 1 added is the
  // cost of opening the image). Needs pool.expected_boxes; 0 (or none given) turns it off.
  double box_cost = 0.0;
  // Diversity is reported as min(1, distance / diversity_scale). 2 is the diameter of the unit
  // sphere, right for L2-normalised embeddings (the image scorer's).
  double diversity_scale = 2.0;
};

// The unlabeled pool, as parallel vectors indexed by pool position.
struct PoolScores {
  // Required by every strategy but random; each in [0, 1].
  std::vector<double> uncertainty;
  // Required by hybrid for its candidates (HybridCandidates); an image's entry may be empty
  // elsewhere, so a large pool need not load every embedding. Optional for the other strategies.
  // Diversity is reported as 0 for an image without one.
  std::vector<Embedding> embeddings;
  // Optional: the classes the model predicts in each image (for the rare-class boost).
  std::vector<std::vector<int64_t>> predicted_classes;
  // Optional, else parallel to predicted_classes: each listed class's top pre-label score in the
  // image, in (0, 1]. Empty (or an image's entry empty): confidence 1 for every listed class.
  std::vector<std::vector<double>> predicted_class_scores;
  // Optional (for box_cost): the boxes each image is expected to hold, >= 0 (ExpectedBoxCount of
  // its pre-labels).
  std::vector<double> expected_boxes;
};

struct LabeledSet {
  std::vector<Embedding> embeddings;
  // Labeled boxes per class id.
  std::map<int64_t, int64_t> class_counts;
};

enum class PickReason { kUncertainty, kDiversity, kRandom };

struct SelectedImage {
  int index = 0;  // pool position
  // The image's uncertainty as given (not boosted); 0 under the random strategy without scores.
  double uncertainty = 0;
  // min(1, d / diversity_scale), d the distance to the nearest labeled image or earlier pick at
  // the time this image was picked (1 when there was nothing to compare with; 0 without
  // embeddings). Random-share picks are measured after the diversity picks.
  double diversity = 0;
  double rarity = 0;
  PickReason reason = PickReason::kUncertainty;
};

struct BatchSelection {
  SamplingStrategy strategy = SamplingStrategy::kHybrid;
  // min(batch_size, pool size) distinct images, in the order to label them. Hybrid spreads its
  // random picks evenly through the batch (not all at the end), so an annotator who stops early
  // still labels some.
  std::vector<SelectedImage> items;
};

// The pool positions whose embeddings hybrid reads (its candidate set), best first: fill those
// (and, for diversity reporting, any others) before calling SelectBatch. Needs only
// pool.uncertainty (and predicted_classes for the boost, expected_boxes for the box cost).
std::vector<int> HybridCandidates(const PoolScores& pool, const LabeledSet& labeled, int batch_size,
                                  const BatchSelectionOptions& options);

// Deterministic for a given seed. InvalidArgument on mismatched vector sizes, missing scores or
// embeddings the strategy needs, uncertainty outside [0, 1], or a negative batch size.
absl::StatusOr<BatchSelection> SelectBatch(const PoolScores& pool, const LabeledSet& labeled,
                                           int batch_size, const BatchSelectionOptions& options,
                                           uint64_t seed);

}  // namespace labelloop

#endif  // LABELLOOP_SAMPLER_BATCH_SELECTION_H_
