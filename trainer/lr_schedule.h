#ifndef LABELLOOP_TRAINER_LR_SCHEDULE_H_
#define LABELLOOP_TRAINER_LR_SCHEDULE_H_

#include <cstdint>

namespace labelloop {

// Linear warm-up from near zero to the base rate, then cosine decay to zero at the last step.
// Warm-up keeps the first steps of a freshly initialised head (or a head whose classes changed)
// from blowing up the warm-started backbone; cosine needs no tuning of decay milestones for
// jobs whose length varies with the label count.
class LearningRateSchedule {
 public:
  // `total_steps` is the job's number of optimizer steps. Warm-up is capped at a third of them:
  // a small early round (a few dozen steps) would otherwise spend all of it warming up with a
  // default meant for larger sets.
  LearningRateSchedule(double base_rate, int64_t warmup_steps, int64_t total_steps);

  // The rate for 0-based `step`.
  double At(int64_t step) const;

  int64_t warmup_steps() const { return warmup_steps_; }

 private:
  double base_rate_;
  int64_t warmup_steps_;
  int64_t total_steps_;
};

}  // namespace labelloop

#endif  // LABELLOOP_TRAINER_LR_SCHEDULE_H_
