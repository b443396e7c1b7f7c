#include "sampler/sampler_options.h"

#include "absl/strings/str_cat.h"

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

  if (config.has_hybrid_uncertainty() && *strategy != SamplingStrategy::kHybrid) {
    return absl::InvalidArgumentError(
        absl::StrCat("sampler.hybrid_uncertainty is for the hybrid strategy; \"", config.strategy(),
                     "\" ranks by its own measure"));
  }
  switch (*strategy) {
    case SamplingStrategy::kLeastConfidence:
      options.uncertainty.measure = UncertaintyMeasure::kLeastConfidence;
      break;
    case SamplingStrategy::kMargin:
      options.uncertainty.measure = UncertaintyMeasure::kMargin;
      break;
    case SamplingStrategy::kTta:
      options.uncertainty.measure = UncertaintyMeasure::kEntropy;
      options.rank_by_tta = true;
      break;
    case SamplingStrategy::kHybrid:
      if (config.hybrid_uncertainty() == "tta") {
        options.uncertainty.measure = UncertaintyMeasure::kEntropy;
        options.rank_by_tta = true;
      } else {
        absl::StatusOr<UncertaintyMeasure> measure =
            ParseUncertaintyMeasure(config.hybrid_uncertainty());
        if (!measure.ok()) {
          return absl::InvalidArgumentError(
              absl::StrCat("sampler.hybrid_uncertainty must be one of entropy, least_confidence, "
                           "margin, tta; got \"",
                           config.hybrid_uncertainty(), "\""));
        }
        options.uncertainty.measure = *measure;
      }
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
  if (options.rank_by_tta) {
    options.scorer.flip_view = true;
    options.scorer.rescale_factor = kTtaRescaleFactor;
  }

  options.rescore_batch = config.rescore_batch();
  options.tie_epsilon = config.tie_epsilon();
  return options;
}

}  // namespace labelloop
