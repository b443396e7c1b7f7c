#include "server/training_round.h"

#include "absl/strings/str_cat.h"
#include "trainer/promotion_policy.h"
#include "trainer/training_job.h"

namespace labelloop {

RoundRunner MakeTrainingRoundRunner(const v1::DaemonConfig& config, Store* store,
                                    ModelRegistry* registry) {
  return [config, store, registry](
             const v1::Job& job, const std::function<void(const v1::JobProgress&)>& progress,
             const std::atomic<bool>& cancel) -> absl::StatusOr<RoundOutcome> {
    TrainingJobSpec spec;
    spec.job_id = job.id();
    spec.training = config.training();
    spec.detector = config.detector();
    spec.models_dir = registry->models_dir();
    spec.reset_weights = job.reset_weights();
    spec.max_image_bytes = config.limits().max_image_bytes();
    std::shared_ptr<const ServingModel> serving = registry->Serving();
    std::optional<double> serving_map;
    if (serving != nullptr) {
      spec.base_version = serving->version();
      absl::StatusOr<std::string> weights = registry->WeightsPath(serving->version());
      if (weights.ok()) spec.base_checkpoint = *weights;
      absl::StatusOr<ModelVersionInfo> info = registry->Info(serving->version());
      if (info.ok()) serving_map = info->metrics.map;
    }
    absl::StatusOr<TrainingJobResult> result = RunTrainingJob(spec, store, progress, cancel);
    if (!result.ok()) return result.status();

    RoundOutcome outcome;
    outcome.train_labels = result->version.train_labels;
    outcome.val_labels = result->version.val_labels;
    outcome.base_version = result->version.parent_version;
    outcome.result_version = result->version.version;
    absl::StatusOr<v1::Model> added = registry->AddVersion(result->version.version);
    if (!added.ok()) return added.status();
    PromotionDecision decision = DecidePromotion(result->version.metrics.map, serving_map,
                                                 config.training().promotion_tolerance());
    outcome.promoted = decision.promote;
    outcome.promotion_reason = decision.reason;
    if (decision.promote) {
      absl::StatusOr<v1::Model> promoted =
          registry->Promote(result->version.version, decision.reason);
      if (!promoted.ok()) {
        outcome.promoted = false;
        outcome.promotion_reason = absl::StrCat("not promoted: ", promoted.status().message());
      }
    } else {
      absl::StatusOr<v1::Model> rejected =
          registry->Reject(result->version.version, decision.reason);
      if (!rejected.ok()) return rejected.status();
    }
    return outcome;
  };
}

}  // namespace labelloop
