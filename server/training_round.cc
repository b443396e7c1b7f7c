#include "server/training_round.h"

#include <malloc.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "spdlog/spdlog.h"
#include "trainer/promotion_policy.h"
#include "trainer/training_job.h"

namespace labelloop {
namespace {

// Crash tests hold a finished version in its temporary folder to kill the daemon mid-write. An
// environment variable rather than a config field, so no configuration can turn it on by
// accident; it only delays a write, it never changes what is written.
int64_t TestPauseBeforePublishMs() {
  const char* value = std::getenv("LABELLOOP_TEST_PAUSE_BEFORE_PUBLISH_MS");
  int64_t ms = 0;
  if (value == nullptr || !absl::SimpleAtoi(value, &ms) || ms < 0) return 0;
  return ms;
}

// Resident set in MiB, from /proc/self/statm (0 where unreadable).
double ResidentMiB() {
  std::ifstream statm("/proc/self/statm");
  int64_t size = 0, resident = 0;
  if (!(statm >> size >> resident)) return 0;
  return static_cast<double>(resident) * static_cast<double>(sysconf(_SC_PAGESIZE)) / (1 << 20);
}

// labelloopd keeps freed memory in the heap (M_TRIM_THRESHOLD 1 GiB in main.cc, so tensor
// buffers are reused instead of mapped and unmapped per step), so everything a round used
// (activations, gradients, optimizer state, its threads' arenas) stayed resident after it ended:
// RSS stepped up at every round in the soak. Once per round, handing the free pages back costs
// milliseconds and a few page faults at the next round's start.
void ReturnFreedMemory(int64_t job_id) {
  const double before = ResidentMiB();
  const auto start = std::chrono::steady_clock::now();
  malloc_trim(0);
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  spdlog::info(
      "training job {}: returned freed memory to the system: RSS {:.0f} -> {:.0f} MiB in "
      "{:.0f} ms",
      job_id, before, ResidentMiB(), ms);
}

}  // namespace

RoundRunner MakeTrainingRoundRunner(const v1::DaemonConfig& config, Store* store,
                                    ModelRegistry* registry) {
  return [config, store, registry](
             const v1::Job& job, const std::function<void(const v1::JobProgress&)>& progress,
             const std::atomic<bool>& cancel) -> absl::StatusOr<RoundOutcome> {
    TrainingJobSpec spec;
    spec.job_id = job.id();
    spec.training = config.training();
    spec.detector = config.detector();
    spec.autolabel = config.autolabel();
    spec.models_dir = registry->models_dir();
    spec.reset_weights = job.reset_weights();
    spec.max_image_bytes = config.limits().max_image_bytes();
    spec.pause_before_publish_ms = TestPauseBeforePublishMs();
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
    ReturnFreedMemory(job.id());
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
