// The CLI's shapes of training jobs and model versions, and the progress line of --watch.

#include "absl/strings/match.h"
#include "cli/display_time.h"
#include "cli/job_json.h"
#include "cli/job_progress_text.h"
#include "cli/model_json.h"
#include "gtest/gtest.h"

namespace labelloop {
namespace {

v1::JobProgress RunningProgress() {
  v1::JobProgress progress;
  progress.set_job_id(3);
  progress.set_state(v1::JOB_STATE_RUNNING);
  progress.set_epoch(2);
  progress.set_epochs(8);
  progress.set_step(34);
  progress.set_steps(120);
  progress.set_loss(1.2345);
  progress.set_loss_classification(0.5);
  progress.set_loss_bbox_regression(0.6);
  progress.set_loss_bbox_ctrness(0.1345);
  progress.set_learning_rate(0.005);
  progress.set_images_per_second(12.3);
  progress.set_eta_seconds(185);
  progress.set_val_map(0.123);
  progress.set_best_val_map(0.15);
  progress.set_best_epoch(1);
  progress.set_message("training");
  return progress;
}

TEST(JobProgressTextTest, ShowsEveryPartOfARunningJob) {
  const std::string text = JobProgressText(RunningProgress(), /*bar=*/false);
  EXPECT_EQ(text,
            "running epoch 2/8 step 34/120 loss 1.234 (cls 0.500 box 0.600 ctr 0.135) lr 0.00500 "
            "12.3 img/s ETA 3m05s val mAP 0.1230 best 0.1500 @1 | training");
}

TEST(JobProgressTextTest, BarFillsWithTheSteps) {
  v1::JobProgress progress = RunningProgress();
  progress.set_step(60);
  EXPECT_TRUE(absl::StrContains(JobProgressText(progress, /*bar=*/true),
                                "[##########----------] step 60/120"));
  progress.set_step(120);
  EXPECT_TRUE(absl::StrContains(JobProgressText(progress, /*bar=*/true), "[####################]"));
}

TEST(JobProgressTextTest, LeavesOutWhatHasNoValueYet) {
  v1::JobProgress progress;
  progress.set_job_id(1);
  progress.set_state(v1::JOB_STATE_QUEUED);
  progress.set_val_map(-1);
  progress.set_best_val_map(-1);
  progress.set_message("waiting for job 4");
  EXPECT_EQ(JobProgressText(progress, /*bar=*/true), "queued | waiting for job 4");
}

TEST(JobJsonTest, StatesAreLowercaseWordsAndFinalOnesAreKnown) {
  EXPECT_EQ(JobStateName(v1::JOB_STATE_SUCCEEDED), "succeeded");
  EXPECT_EQ(JobStateName(v1::JOB_STATE_CANCELLED), "cancelled");
  EXPECT_TRUE(IsFinalJobState(v1::JOB_STATE_FAILED));
  EXPECT_FALSE(IsFinalJobState(v1::JOB_STATE_RUNNING));
  v1::Job job;
  job.set_id(7);
  job.set_state(v1::JOB_STATE_FAILED);
  job.set_error("loss is NaN at step 3");
  *job.mutable_progress() = RunningProgress();
  const Json json = JobToJson(job);
  EXPECT_EQ(json["id"], 7);
  EXPECT_EQ(json["state"], "failed");
  EXPECT_EQ(json["error"], "loss is NaN at step 3");
  EXPECT_EQ(json["progress"]["epoch"], 2);
  EXPECT_TRUE(absl::StrContains(JobDetails(job), "error:     loss is NaN at step 3"));
  EXPECT_TRUE(absl::StrContains(JobTableRow(job), "failed"));
}

TEST(ModelJsonTest, MarksServingAndKeepsMinusOneForMissingMetrics) {
  v1::Model model;
  model.set_version("v2");
  model.set_status(v1::MODEL_STATUS_SERVING);
  model.set_parent_version("v1");
  model.set_train_labels(40);
  model.mutable_metrics()->set_map(0.25);
  model.mutable_metrics()->set_map50(-1);
  v1::ClassMetrics* rbc = model.mutable_metrics()->add_per_class();
  rbc->set_class_name("RBC");
  rbc->set_ap(0.3);
  rbc->set_ap50(0.6);
  const Json json = ModelToJson(model, /*serving=*/true);
  EXPECT_EQ(json["version"], "v2");
  EXPECT_EQ(json["status"], "serving");
  EXPECT_EQ(json["serving"], true);
  EXPECT_EQ(json["metrics"]["map50"], -1);
  EXPECT_EQ(json["metrics"]["per_class"]["RBC"]["ap50"], 0.6);
  const std::string row = ModelTableRow(model, /*serving=*/true);
  EXPECT_EQ(row.substr(0, 4), "* v2") << row;
  EXPECT_TRUE(absl::StrContains(row, "0.2500")) << row;
  EXPECT_TRUE(absl::StrContains(row, " - ")) << row;  // map50 not available
  EXPECT_EQ(ModelTableRow(model, /*serving=*/false).substr(0, 4), "  v2");
}

TEST(DisplayTimeTest, DurationsAndUnsetTimes) {
  EXPECT_EQ(DisplayDuration(42), "42s");
  EXPECT_EQ(DisplayDuration(185), "3m05s");
  EXPECT_EQ(DisplayDuration(3720), "1h02m");
  EXPECT_EQ(DisplayDuration(-1), "-");
  EXPECT_EQ(DisplayTime(0), "-");
  EXPECT_EQ(DisplayTime(1700000000000).size(), 19u);
}

}  // namespace
}  // namespace labelloop
