#ifndef LABELLOOP_TRAINER_TRAINING_PROGRESS_H_
#define LABELLOOP_TRAINER_TRAINING_PROGRESS_H_

#include <cstdint>
#include <deque>
#include <string>

#include "labelloop/v1/training.pb.h"

namespace labelloop {

struct StepLosses {
  double total = 0;
  double classification = 0;
  double bbox_regression = 0;
  double bbox_ctrness = 0;
};

// Turns per-step measurements into what watchers see (v1::JobProgress): losses averaged over the
// last `window` steps (single steps are too noisy to read), throughput over the same steps, and
// an ETA from the recent step time plus the evaluations still to come. Not thread-safe.
class TrainingProgress {
 public:
  TrainingProgress(int64_t job_id, int epochs, int64_t total_steps, int window = 20);

  void StartEpoch(int epoch);  // 1-based
  // One optimizer step: its losses, images, wall time (including any wait for the batch) and
  // learning rate.
  void RecordStep(const StepLosses& losses, int64_t images, double seconds, double learning_rate);
  // The validation result of `epoch` and the best so far (-1: not measured).
  void RecordEvaluation(int epoch, double map, double seconds, double best_map, int best_epoch);
  void SetMessage(std::string message);

  v1::JobProgress Snapshot() const;
  // Over every step so far.
  double overall_images_per_second() const;
  int64_t steps_done() const { return steps_done_; }

 private:
  struct Step {
    StepLosses losses;
    int64_t images = 0;
    double seconds = 0;
  };

  v1::JobProgress progress_;
  const int64_t total_steps_;
  const size_t window_;
  std::deque<Step> recent_;
  int64_t steps_done_ = 0;
  int64_t images_done_ = 0;
  double step_seconds_done_ = 0;
  int evaluations_done_ = 0;
  double last_evaluation_seconds_ = 0;
};

}  // namespace labelloop

#endif  // LABELLOOP_TRAINER_TRAINING_PROGRESS_H_
