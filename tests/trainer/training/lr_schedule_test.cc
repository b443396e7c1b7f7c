#include "trainer/lr_schedule.h"

#include "gtest/gtest.h"

namespace labelloop {
namespace {

TEST(LearningRateScheduleTest, WarmsUpLinearlyThenDecaysByCosine) {
  const LearningRateSchedule schedule(0.1, 9, 100);
  EXPECT_EQ(schedule.warmup_steps(), 9);
  EXPECT_NEAR(schedule.At(0), 0.01, 1e-12);
  EXPECT_NEAR(schedule.At(4), 0.05, 1e-12);
  EXPECT_NEAR(schedule.At(8), 0.09, 1e-12);
  EXPECT_NEAR(schedule.At(9), 0.1, 1e-12);  // peak: first step after warm-up
  // Half-way through the decay: half the rate.
  const int64_t decay = 100 - 9;
  EXPECT_NEAR(schedule.At(9 + decay / 2), 0.05, 0.002);
  double previous = schedule.At(9);
  for (int64_t step = 10; step < 100; ++step) {
    EXPECT_LT(schedule.At(step), previous) << step;
    previous = schedule.At(step);
  }
  EXPECT_GT(schedule.At(99), 0);
  EXPECT_LT(schedule.At(99), 1e-3);
}

TEST(LearningRateScheduleTest, WarmupIsCappedForShortJobs) {
  const LearningRateSchedule schedule(1.0, 50, 30);
  EXPECT_EQ(schedule.warmup_steps(), 10);
  EXPECT_NEAR(schedule.At(10), 1.0, 1e-12);
}

TEST(LearningRateScheduleTest, NoWarmup) {
  const LearningRateSchedule schedule(0.5, 0, 4);
  EXPECT_DOUBLE_EQ(schedule.At(0), 0.5);
  EXPECT_GT(schedule.At(3), 0);
  EXPECT_DOUBLE_EQ(schedule.At(-3), 0.5);  // clamped
  EXPECT_DOUBLE_EQ(schedule.At(40), schedule.At(3));
}

TEST(LearningRateScheduleTest, SingleStepJob) {
  const LearningRateSchedule schedule(0.2, 10, 1);
  EXPECT_DOUBLE_EQ(schedule.At(0), 0.2);
}

}  // namespace
}  // namespace labelloop
