#include "trainer/training_progress.h"

#include <algorithm>
#include <utility>

namespace labelloop {

TrainingProgress::TrainingProgress(int64_t job_id, int epochs, int64_t total_steps, int window)
    : total_steps_(total_steps), window_(static_cast<size_t>(std::max(1, window))) {
  progress_.set_job_id(job_id);
  progress_.set_state(v1::JOB_STATE_RUNNING);
  progress_.set_epochs(epochs);
  progress_.set_steps(total_steps);
  progress_.set_val_map(-1);
  progress_.set_best_val_map(-1);
  progress_.set_eta_seconds(-1);
}

void TrainingProgress::StartEpoch(int epoch) { progress_.set_epoch(epoch); }

void TrainingProgress::RecordStep(const StepLosses& losses, int64_t images, double seconds,
                                  double learning_rate) {
  recent_.push_back({losses, images, seconds});
  if (recent_.size() > window_) recent_.pop_front();
  ++steps_done_;
  images_done_ += images;
  step_seconds_done_ += seconds;
  progress_.set_step(steps_done_);
  progress_.set_learning_rate(learning_rate);
}

void TrainingProgress::RecordEvaluation(int epoch, double map, double seconds, double best_map,
                                        int best_epoch) {
  ++evaluations_done_;
  last_evaluation_seconds_ = seconds;
  progress_.set_val_map(map);
  progress_.set_best_val_map(best_map);
  progress_.set_best_epoch(best_epoch);
}

void TrainingProgress::SetMessage(std::string message) {
  progress_.set_message(std::move(message));
}

v1::JobProgress TrainingProgress::Snapshot() const {
  v1::JobProgress out = progress_;
  if (recent_.empty()) return out;
  StepLosses sum;
  int64_t images = 0;
  double seconds = 0;
  for (const Step& step : recent_) {
    sum.total += step.losses.total;
    sum.classification += step.losses.classification;
    sum.bbox_regression += step.losses.bbox_regression;
    sum.bbox_ctrness += step.losses.bbox_ctrness;
    images += step.images;
    seconds += step.seconds;
  }
  const double n = static_cast<double>(recent_.size());
  out.set_loss(sum.total / n);
  out.set_loss_classification(sum.classification / n);
  out.set_loss_bbox_regression(sum.bbox_regression / n);
  out.set_loss_bbox_ctrness(sum.bbox_ctrness / n);
  if (seconds > 0) out.set_images_per_second(static_cast<double>(images) / seconds);
  const double step_seconds = seconds / n;
  const int64_t steps_left = std::max<int64_t>(0, total_steps_ - steps_done_);
  // One evaluation per epoch, the current one included while it is still to come.
  const int evaluations_left = std::max(0, progress_.epochs() - evaluations_done_);
  out.set_eta_seconds(static_cast<double>(steps_left) * step_seconds +
                      evaluations_left * last_evaluation_seconds_);
  return out;
}

double TrainingProgress::overall_images_per_second() const {
  return step_seconds_done_ > 0 ? static_cast<double>(images_done_) / step_seconds_done_ : 0;
}

}  // namespace labelloop
