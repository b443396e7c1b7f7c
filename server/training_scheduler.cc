#include "server/training_scheduler.h"

#include "absl/strings/str_cat.h"
#include "spdlog/spdlog.h"

namespace labelloop {
bool IsTerminalJobState(v1::JobState state) {
  return state == v1::JOB_STATE_SUCCEEDED || state == v1::JOB_STATE_FAILED ||
         state == v1::JOB_STATE_CANCELLED;
}

absl::StatusOr<std::unique_ptr<TrainingScheduler>> TrainingScheduler::Create(
    JobStore* jobs, TriggerOptions triggers, int64_t labels_so_far, RoundRunner runner,
    const Clock* clock) {
  absl::StatusOr<std::vector<v1::Job>> interrupted = jobs->InState(v1::JOB_STATE_RUNNING);
  if (!interrupted.ok()) return interrupted.status();
  for (v1::Job& job : *interrupted) {
    job.set_state(v1::JOB_STATE_FAILED);
    job.mutable_progress()->set_state(v1::JOB_STATE_FAILED);
    job.set_error("labelloopd stopped while this job ran; the serving model is unchanged");
    job.set_finished_unix_ms(clock->NowMs());
    absl::Status status = jobs->Update(job);
    if (!status.ok()) return status;
  }
  std::unique_ptr<TrainingScheduler> scheduler(
      new TrainingScheduler(jobs, triggers, labels_so_far, std::move(runner), clock));
  absl::StatusOr<std::vector<v1::Job>> latest = jobs->List(1);
  if (!latest.ok()) return latest.status();
  if (!latest->empty()) {
    scheduler->labels_at_last_round_ =
        latest->front().train_labels() + latest->front().val_labels();
    scheduler->last_round_ms_ = latest->front().created_unix_ms();
  }
  scheduler->worker_ = std::thread([s = scheduler.get()] { s->WorkerLoop(); });
  return scheduler;
}

TrainingScheduler::TrainingScheduler(JobStore* jobs, TriggerOptions triggers, int64_t labels_so_far,
                                     RoundRunner runner, const Clock* clock)
    : jobs_(jobs),
      triggers_(triggers),
      runner_(std::move(runner)),
      clock_(clock),
      labels_total_(labels_so_far),
      last_round_ms_(clock->NowMs()) {}

TrainingScheduler::~TrainingScheduler() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    cancel_running_ = true;
  }
  wake_worker_.notify_all();
  changed_.notify_all();
  if (worker_.joinable()) worker_.join();
}

void TrainingScheduler::Publish() {
  ++version_;
  changed_.notify_all();
}

absl::StatusOr<v1::Job> TrainingScheduler::StartRoundLocked(const std::string& trigger,
                                                            bool reset_weights) {
  absl::StatusOr<std::vector<v1::Job>> queued = jobs_->InState(v1::JOB_STATE_QUEUED);
  if (!queued.ok()) return queued.status();
  if (!queued->empty()) return queued->front();  // The follow-up everyone joins.
  v1::Job job;
  job.set_state(v1::JOB_STATE_QUEUED);
  job.set_trigger(trigger);
  job.set_created_unix_ms(clock_->NowMs());
  job.mutable_progress()->set_state(v1::JOB_STATE_QUEUED);
  job.mutable_progress()->set_message(
      running_.id() != 0 ? absl::StrCat("waiting for job ", running_.id()) : "starting");
  job.mutable_progress()->set_val_map(-1);
  job.mutable_progress()->set_best_val_map(-1);
  job.set_reset_weights(reset_weights);
  absl::StatusOr<v1::Job> created = jobs_->Create(job);
  if (!created.ok()) return created.status();
  spdlog::info("training job {} queued (trigger: {})", created->id(), trigger);
  Publish();
  work_pending_ = true;
  wake_worker_.notify_all();
  return created;
}

absl::StatusOr<v1::Job> TrainingScheduler::StartRound(const std::string& trigger,
                                                      bool reset_weights) {
  std::lock_guard<std::mutex> lock(mu_);
  if (stopping_) return absl::UnavailableError("labelloopd is stopping");
  return StartRoundLocked(trigger, reset_weights);
}

void TrainingScheduler::OnLabelsStored(int64_t count) {
  std::lock_guard<std::mutex> lock(mu_);
  labels_total_ += count;
  if (stopping_ || triggers_.new_labels <= 0) return;
  if (labels_total_ - labels_at_last_round_ < triggers_.new_labels) return;
  absl::StatusOr<v1::Job> job = StartRoundLocked("new_labels", false);
  if (!job.ok()) spdlog::error("cannot start a training round: {}", job.status().ToString());
}

void TrainingScheduler::CheckIntervalTrigger() {
  if (triggers_.max_interval_seconds <= 0 || running_.id() != 0) return;
  if (labels_total_ <= labels_at_last_round_) return;
  if (clock_->NowMs() - last_round_ms_ < triggers_.max_interval_seconds * 1000LL) return;
  absl::StatusOr<v1::Job> job = StartRoundLocked("interval", false);
  if (!job.ok()) spdlog::error("cannot start a training round: {}", job.status().ToString());
}

absl::Status TrainingScheduler::Cancel(int64_t job_id) {
  std::lock_guard<std::mutex> lock(mu_);
  if (running_.id() == job_id) {
    cancel_running_ = true;
    return absl::OkStatus();
  }
  absl::StatusOr<v1::Job> job = jobs_->Get(job_id);
  if (!job.ok()) return job.status();
  if (IsTerminalJobState(job->state())) {
    return absl::FailedPreconditionError(
        absl::StrCat("job ", job_id, " already ended (", v1::JobState_Name(job->state()), ")"));
  }
  job->set_state(v1::JOB_STATE_CANCELLED);
  job->mutable_progress()->set_state(v1::JOB_STATE_CANCELLED);
  job->mutable_progress()->set_message("cancelled before it started");
  job->set_finished_unix_ms(clock_->NowMs());
  absl::Status status = jobs_->Update(*job);
  if (!status.ok()) return status;
  Publish();
  return absl::OkStatus();
}

absl::StatusOr<v1::Job> TrainingScheduler::Get(int64_t job_id) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (running_.id() == job_id) return running_;
  }
  return jobs_->Get(job_id);
}

absl::StatusOr<std::vector<v1::Job>> TrainingScheduler::List(int limit) {
  absl::StatusOr<std::vector<v1::Job>> jobs = jobs_->List(limit);
  if (!jobs.ok()) return jobs;
  std::lock_guard<std::mutex> lock(mu_);
  for (v1::Job& job : *jobs) {
    if (job.id() == running_.id()) job = running_;
  }
  return jobs;
}

absl::StatusOr<v1::Job> TrainingScheduler::WaitForChange(int64_t job_id, int64_t* seen_version,
                                                         std::chrono::milliseconds timeout) {
  {
    std::unique_lock<std::mutex> lock(mu_);
    changed_.wait_for(lock, timeout, [&] { return stopping_ || version_ != *seen_version; });
    *seen_version = version_;
    if (running_.id() == job_id) return running_;
  }
  return jobs_->Get(job_id);
}

void TrainingScheduler::WorkerLoop() {
  while (true) {
    v1::Job next;
    {
      std::unique_lock<std::mutex> lock(mu_);
      // The tick drives the interval trigger; queued work wakes the worker at once.
      wake_worker_.wait_for(lock, std::chrono::seconds(1),
                            [&] { return stopping_ || work_pending_; });
      work_pending_ = false;
      if (stopping_) return;
      CheckIntervalTrigger();
      absl::StatusOr<std::vector<v1::Job>> queued = jobs_->InState(v1::JOB_STATE_QUEUED);
      if (!queued.ok()) {
        spdlog::error("cannot read queued jobs: {}", queued.status().ToString());
        continue;
      }
      if (queued->empty()) continue;
      next = queued->front();
      next.set_state(v1::JOB_STATE_RUNNING);
      next.set_started_unix_ms(clock_->NowMs());
      next.mutable_progress()->set_state(v1::JOB_STATE_RUNNING);
      next.mutable_progress()->set_message("starting");
      labels_at_last_round_ = labels_total_;
      last_round_ms_ = clock_->NowMs();
      cancel_running_ = false;
      absl::Status status = jobs_->Update(next);
      if (!status.ok()) {
        spdlog::error("cannot mark job {} running: {}", next.id(), status.ToString());
        continue;
      }
      running_ = next;
      Publish();
    }
    RunJob(next);
  }
}

void TrainingScheduler::RunJob(v1::Job job) {
  spdlog::info("training job {} started", job.id());
  auto on_progress = [this, job_id = job.id()](const v1::JobProgress& progress) {
    std::lock_guard<std::mutex> lock(mu_);
    if (running_.id() != job_id) return;
    *running_.mutable_progress() = progress;
    running_.mutable_progress()->set_job_id(job_id);
    running_.mutable_progress()->set_state(v1::JOB_STATE_RUNNING);
    Publish();
  };
  absl::StatusOr<RoundOutcome> outcome = runner_(job, on_progress, cancel_running_);

  std::lock_guard<std::mutex> lock(mu_);
  v1::Job done = running_;
  done.set_finished_unix_ms(clock_->NowMs());
  if (outcome.ok()) {
    done.set_state(v1::JOB_STATE_SUCCEEDED);
    done.set_train_labels(outcome->train_labels);
    done.set_val_labels(outcome->val_labels);
    done.set_base_version(outcome->base_version);
    done.set_result_version(outcome->result_version);
    done.set_promoted(outcome->promoted);
    done.set_promotion_reason(outcome->promotion_reason);
    done.mutable_progress()->set_message(
        absl::StrCat("wrote ", outcome->result_version, "; ", outcome->promotion_reason));
  } else if (cancel_running_ || outcome.status().code() == absl::StatusCode::kCancelled) {
    done.set_state(v1::JOB_STATE_CANCELLED);
    done.mutable_progress()->set_message(stopping_ ? "cancelled: labelloopd is stopping"
                                                   : "cancelled");
  } else {
    done.set_state(v1::JOB_STATE_FAILED);
    done.set_error(std::string(outcome.status().message()));
    done.mutable_progress()->set_message(absl::StrCat("failed: ", outcome.status().message()));
  }
  done.mutable_progress()->set_state(done.state());
  absl::Status status = jobs_->Update(done);
  if (!status.ok()) spdlog::error("cannot record job {}: {}", done.id(), status.ToString());
  spdlog::info("training job {} ended: {} {}", done.id(), v1::JobState_Name(done.state()),
               done.progress().message());
  running_ = v1::Job();
  Publish();
}

}  // namespace labelloop
