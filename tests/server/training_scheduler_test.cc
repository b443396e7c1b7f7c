#include "server/training_scheduler.h"

#include <condition_variable>
#include <mutex>
#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/common/temp_dir.h"

namespace labelloop {
namespace {

using ::testing::HasSubstr;

// A round runner the test controls: each round reports progress, then blocks until released,
// and ends as the test says. The scheduler's logic is what is under test here; real rounds are
// tested in tests/trainer and end to end in tests/cli.
class ScriptedRunner {
 public:
  RoundRunner AsRunner() {
    return [this](const v1::Job& job, const std::function<void(const v1::JobProgress&)>& progress,
                  const std::atomic<bool>& cancel) -> absl::StatusOr<RoundOutcome> {
      v1::JobProgress p;
      p.set_epoch(1);
      p.set_loss(2.5);
      progress(p);
      std::unique_lock<std::mutex> lock(mu_);
      started_.push_back(job.id());
      cv_.notify_all();
      // Polls `cancel` as a real round checks it between steps.
      while (!cv_.wait_for(lock, std::chrono::milliseconds(10),
                           [&] { return releases_ > 0 || cancel; })) {
      }
      if (cancel) return absl::CancelledError("cancelled");
      --releases_;
      if (!fail_with_.empty()) return absl::InternalError(fail_with_);
      RoundOutcome outcome;
      outcome.result_version = "v" + std::to_string(job.id());
      outcome.promoted = true;
      outcome.promotion_reason = "first model";
      outcome.train_labels = 10;
      return outcome;
    };
  }
  void Release() {
    std::lock_guard<std::mutex> lock(mu_);
    ++releases_;
    cv_.notify_all();
  }
  void WaitStarted(size_t n) {
    std::unique_lock<std::mutex> lock(mu_);
    ASSERT_TRUE(cv_.wait_for(lock, std::chrono::seconds(10), [&] { return started_.size() >= n; }));
  }
  void FailWith(std::string message) {
    std::lock_guard<std::mutex> lock(mu_);
    fail_with_ = std::move(message);
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<int64_t> started_;
  int releases_ = 0;
  std::string fail_with_;
};

class TrainingSchedulerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = Store::Open(dir_.path(), StoreOptions{});
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    jobs_ = std::make_unique<JobStore>(store_.get());
  }
  void CreateScheduler(TriggerOptions triggers) {
    auto scheduler =
        TrainingScheduler::Create(jobs_.get(), triggers, 0, runner_.AsRunner(), &clock_);
    ASSERT_TRUE(scheduler.ok()) << scheduler.status();
    scheduler_ = *std::move(scheduler);
  }
  v1::Job WaitForState(int64_t job_id, v1::JobState state) {
    int64_t seen = -1;
    for (int i = 0; i < 100; ++i) {
      auto job = scheduler_->WaitForChange(job_id, &seen, std::chrono::milliseconds(100));
      EXPECT_TRUE(job.ok());
      if (job->state() == state) return *job;
    }
    ADD_FAILURE() << "job " << job_id << " never reached " << v1::JobState_Name(state);
    return v1::Job();
  }

  TempDir dir_;
  SystemClock clock_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<JobStore> jobs_;
  ScriptedRunner runner_;
  std::unique_ptr<TrainingScheduler> scheduler_;
};

TEST_F(TrainingSchedulerTest, ManualRoundRunsAndRecordsItsOutcome) {
  CreateScheduler({0, 0});
  auto job = scheduler_->StartRound("manual", false);
  ASSERT_TRUE(job.ok());
  runner_.WaitStarted(1);
  v1::Job running = WaitForState(job->id(), v1::JOB_STATE_RUNNING);
  EXPECT_DOUBLE_EQ(running.progress().loss(), 2.5);  // Live progress is visible.
  runner_.Release();
  v1::Job done = WaitForState(job->id(), v1::JOB_STATE_SUCCEEDED);
  EXPECT_EQ(done.result_version(), "v" + std::to_string(job->id()));
  EXPECT_TRUE(done.promoted());
  EXPECT_GT(done.finished_unix_ms(), 0);
  // The record in the store says the same.
  EXPECT_EQ(jobs_->Get(job->id())->state(), v1::JOB_STATE_SUCCEEDED);
}

TEST_F(TrainingSchedulerTest, TriggersDuringAJobScheduleOneFollowUp) {
  CreateScheduler({0, 0});
  auto first = scheduler_->StartRound("manual", false);
  runner_.WaitStarted(1);
  auto second = scheduler_->StartRound("manual", false);
  auto third = scheduler_->StartRound("manual", true);
  ASSERT_TRUE(second.ok() && third.ok());
  EXPECT_NE(second->id(), first->id());
  EXPECT_EQ(third->id(), second->id());  // Joined the follow-up.
  EXPECT_EQ(second->state(), v1::JOB_STATE_QUEUED);
  runner_.Release();
  runner_.WaitStarted(2);
  runner_.Release();
  WaitForState(second->id(), v1::JOB_STATE_SUCCEEDED);
  EXPECT_EQ(scheduler_->List(10)->size(), 2u);
}

TEST_F(TrainingSchedulerTest, LabelCountTriggerFiresAtN) {
  CreateScheduler({5, 0});
  scheduler_->OnLabelsStored(4);
  EXPECT_TRUE(scheduler_->List(10)->empty());
  scheduler_->OnLabelsStored(1);
  auto jobs = scheduler_->List(10);
  ASSERT_EQ(jobs->size(), 1u);
  EXPECT_EQ(jobs->front().trigger(), "new_labels");
  runner_.WaitStarted(1);
  runner_.Release();
  WaitForState(jobs->front().id(), v1::JOB_STATE_SUCCEEDED);
}

TEST_F(TrainingSchedulerTest, CancelStopsARunningJobAndAQueuedOne) {
  CreateScheduler({0, 0});
  auto running = scheduler_->StartRound("manual", false);
  runner_.WaitStarted(1);
  auto queued = scheduler_->StartRound("manual", false);
  ASSERT_TRUE(scheduler_->Cancel(queued->id()).ok());
  EXPECT_EQ(scheduler_->Get(queued->id())->state(), v1::JOB_STATE_CANCELLED);
  ASSERT_TRUE(scheduler_->Cancel(running->id()).ok());
  WaitForState(running->id(), v1::JOB_STATE_CANCELLED);
  absl::Status again = scheduler_->Cancel(running->id());
  EXPECT_EQ(again.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(scheduler_->Cancel(999).code(), absl::StatusCode::kNotFound);
}

TEST_F(TrainingSchedulerTest, FailedRoundKeepsItsError) {
  CreateScheduler({0, 0});
  runner_.FailWith("loss is NaN at step 3");
  auto job = scheduler_->StartRound("manual", false);
  runner_.WaitStarted(1);
  runner_.Release();
  v1::Job failed = WaitForState(job->id(), v1::JOB_STATE_FAILED);
  EXPECT_THAT(failed.error(), HasSubstr("NaN"));
}

TEST_F(TrainingSchedulerTest, RestartFailsTheInterruptedJobAndRunsQueuedOnes) {
  CreateScheduler({0, 0});
  auto running = scheduler_->StartRound("manual", false);
  runner_.WaitStarted(1);
  auto queued = scheduler_->StartRound("manual", false);
  // Simulate a crash: the records say running/queued, and a new scheduler starts over them.
  v1::Job stale = *jobs_->Get(running->id());
  scheduler_.reset();
  ASSERT_TRUE(jobs_->Update(stale).ok());  // Put it back to RUNNING as a crash would leave it.
  v1::Job requeue = *jobs_->Get(queued->id());
  requeue.set_state(v1::JOB_STATE_QUEUED);
  ASSERT_TRUE(jobs_->Update(requeue).ok());
  CreateScheduler({0, 0});
  v1::Job interrupted = *jobs_->Get(running->id());
  EXPECT_EQ(interrupted.state(), v1::JOB_STATE_FAILED);
  EXPECT_THAT(interrupted.error(), HasSubstr("stopped while this job ran"));
  runner_.WaitStarted(2);
  runner_.Release();
  WaitForState(queued->id(), v1::JOB_STATE_SUCCEEDED);
}

}  // namespace
}  // namespace labelloop
