#include "sampler/sampler_options.h"

namespace labelloop {
namespace {

// Small enough that objects change pyramid level for many sizes, large enough that small objects
// stay detectable.
constexpr double kTtaRescaleFactor = 0.8;

}  // namespace

absl::StatusOr<SamplerOptions> SamplerOptionsFromConfig(const v1::SamplerConfig& config) {
  SamplerOptions options;
  absl::StatusOr<SamplingStrategy> strategy = ParseSamplingStrategy(config.strategy());
  if (!strategy.ok()) return strategy.status();
  absl::StatusOr<ScoreAggregation> aggregation = ParseScoreAggregation(config.aggregation());
  if (!aggregation.ok()) return aggregation.status();

  switch (*strategy) {
    case SamplingStrategy::kLeastConfidence:
      options.uncertainty.measure = UncertaintyMeasure::kLeastConfidence;
      break;
    case SamplingStrategy::kMargin:
      options.uncertainty.measure = UncertaintyMeasure::kMargin;
      break;
    default:
      options.uncertainty.measure = UncertaintyMeasure::kEntropy;
      break;
  }
  options.uncertainty.aggregation = *aggregation;
  options.uncertainty.topk = config.topk();
  options.uncertainty.empty_image_uncertainty = config.empty_image_uncertainty();
  options.uncertainty.min_detection_score = config.min_detection_score();

  options.tta.min_detection_score = config.min_detection_score();

  options.strategy = *strategy;
  options.selection.strategy = *strategy;
  options.selection.candidate_factor = config.candidate_factor();
  options.selection.random_share = config.random_share();
  options.selection.rare_class_boost = config.rare_class_boost();
  options.selection.box_cost = config.box_cost();

  options.scorer.score_thresh = config.min_detection_score();
  if (*strategy == SamplingStrategy::kTta) {
    options.scorer.flip_view = true;
    options.scorer.rescale_factor = kTtaRescaleFactor;
  }

  options.rescore_batch = config.rescore_batch();
  options.tie_epsilon = config.tie_epsilon();
  return options;
}

}  // namespace labelloop
