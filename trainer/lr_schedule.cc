#include "trainer/lr_schedule.h"

#include <algorithm>
#include <cmath>

namespace labelloop {

LearningRateSchedule::LearningRateSchedule(double base_rate, int64_t warmup_steps,
                                           int64_t total_steps)
    : base_rate_(base_rate),
      warmup_steps_(std::clamp<int64_t>(warmup_steps, 0, std::max<int64_t>(total_steps, 0) / 3)),
      total_steps_(std::max<int64_t>(total_steps, 1)) {}

double LearningRateSchedule::At(int64_t step) const {
  step = std::clamp<int64_t>(step, 0, total_steps_ - 1);
  if (step < warmup_steps_) {
    return base_rate_ * static_cast<double>(step + 1) / static_cast<double>(warmup_steps_ + 1);
  }
  const int64_t decay_steps = total_steps_ - warmup_steps_;
  // Progress reaches 1 one step after the last, so the last step still learns a little.
  const double progress =
      static_cast<double>(step - warmup_steps_) / static_cast<double>(decay_steps);
  return base_rate_ * 0.5 * (1.0 + std::cos(M_PI * progress));
}

}  // namespace labelloop
