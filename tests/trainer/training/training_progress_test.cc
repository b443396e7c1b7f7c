#include "trainer/training_progress.h"

#include "gtest/gtest.h"

namespace labelloop {
namespace {

TEST(TrainingProgressTest, AveragesRecentStepsAndEstimatesTime) {
  TrainingProgress progress(5, 2, 10, 2);
  v1::JobProgress start = progress.Snapshot();
  EXPECT_EQ(start.job_id(), 5);
  EXPECT_EQ(start.state(), v1::JOB_STATE_RUNNING);
  EXPECT_EQ(start.steps(), 10);
  EXPECT_DOUBLE_EQ(start.val_map(), -1);
  EXPECT_DOUBLE_EQ(start.best_val_map(), -1);

  progress.StartEpoch(1);
  progress.RecordStep({9, 5, 3, 1}, 4, 4.0, 0.01);
  progress.RecordStep({3, 1, 1, 1}, 4, 2.0, 0.02);
  progress.RecordStep({1, 0.5, 0.25, 0.25}, 4, 2.0, 0.03);
  progress.SetMessage("training epoch 1/2");
  v1::JobProgress p = progress.Snapshot();
  EXPECT_EQ(p.epoch(), 1);
  EXPECT_EQ(p.step(), 3);
  EXPECT_DOUBLE_EQ(p.loss(), 2.0);  // the last two steps
  EXPECT_DOUBLE_EQ(p.loss_classification(), 0.75);
  EXPECT_DOUBLE_EQ(p.loss_bbox_regression(), 0.625);
  EXPECT_DOUBLE_EQ(p.loss_bbox_ctrness(), 0.625);
  EXPECT_DOUBLE_EQ(p.learning_rate(), 0.03);
  EXPECT_DOUBLE_EQ(p.images_per_second(), 2.0);
  EXPECT_DOUBLE_EQ(p.eta_seconds(), 7 * 2.0);  // no evaluation timed yet
  EXPECT_EQ(p.message(), "training epoch 1/2");
  EXPECT_DOUBLE_EQ(progress.overall_images_per_second(), 12.0 / 8.0);

  progress.RecordEvaluation(1, 0.3, 5.0, 0.3, 1);
  p = progress.Snapshot();
  EXPECT_DOUBLE_EQ(p.val_map(), 0.3);
  EXPECT_DOUBLE_EQ(p.best_val_map(), 0.3);
  EXPECT_EQ(p.best_epoch(), 1);
  EXPECT_DOUBLE_EQ(p.eta_seconds(), 7 * 2.0 + 5.0);  // one evaluation left
}

}  // namespace
}  // namespace labelloop
