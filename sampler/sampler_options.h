#ifndef LABELLOOP_SAMPLER_SAMPLER_OPTIONS_H_
#define LABELLOOP_SAMPLER_SAMPLER_OPTIONS_H_

#include "absl/status/statusor.h"
#include "labelloop/v1/config.pb.h"
#include "sampler/batch_selection.h"
#include "sampler/image_scorer_options.h"
#include "sampler/tta_consistency.h"
#include "sampler/uncertainty.h"

namespace labelloop {

// The sampler section of the config as the plain option structs the scorers take, so those stay
// free of protobuf.
struct SamplerOptions {
  SamplingStrategy strategy = SamplingStrategy::kHybrid;  // also in selection.strategy
  ImageUncertaintyOptions uncertainty;
  TtaOptions tta;
  BatchSelectionOptions selection;
  // Images are ranked by TTA consistency instead of uncertainty.measure: the tta strategy, and
  // hybrid with hybrid_uncertainty "tta".
  bool rank_by_tta = false;
  // score_thresh = min_detection_score; the TTA views (a flip and a 0.8 rescale) only when
  // rank_by_tta, the only case that reads them.
  ImageScorerOptions scorer;
  int rescore_batch = 16;
  double tie_epsilon = 0.01;
};

// The uncertainty measure follows the strategy: least_confidence, entropy and margin use their
// own; hybrid the one hybrid_uncertainty names (entropy by default: the measure that uses the
// whole class distribution, background included; with "tta" entropy is still computed for the
// score parts the API reports, while TTA consistency ranks); tta and random compute entropy the
// same way. InvalidArgument for an unknown strategy, aggregation or hybrid_uncertainty name, and
// for hybrid_uncertainty set with another strategy.
absl::StatusOr<SamplerOptions> SamplerOptionsFromConfig(const v1::SamplerConfig& config);

}  // namespace labelloop

#endif  // LABELLOOP_SAMPLER_SAMPLER_OPTIONS_H_
