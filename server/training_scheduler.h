#ifndef LABELLOOP_SERVER_TRAINING_SCHEDULER_H_
#define LABELLOOP_SERVER_TRAINING_SCHEDULER_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "common/clock.h"
#include "labelloop/v1/training.pb.h"
#include "server/job_store.h"

namespace labelloop {

struct TriggerOptions {
  // Start a round after this many new labels (0: off).
  int new_labels = 50;
  // Start a round when labels are new and the last round is this old (0: off).
  int max_interval_seconds = 3600;
};

// Succeeded, failed or cancelled: the job will not change any more.
bool IsTerminalJobState(v1::JobState state);

// What a finished round produced, filled in by the round runner.
struct RoundOutcome {
  int64_t train_labels = 0;
  int64_t val_labels = 0;
  std::string base_version;
  std::string result_version;
  bool promoted = false;
  std::string promotion_reason;
};

// Runs one round: trains, writes a version, applies the promotion policy. `progress` may be
// called often; `cancel` becomes true when the job is cancelled or the daemon stops.
using RoundRunner = std::function<absl::StatusOr<RoundOutcome>(
    const v1::Job& job, const std::function<void(const v1::JobProgress&)>& progress,
    const std::atomic<bool>& cancel)>;

// Decides when training rounds run and runs them one at a time on a worker thread: on request,
// after N new labels, or after a maximum interval with new labels. A trigger while a job runs
// schedules one follow-up (more triggers join it). Job records, with their final progress, are
// kept in the store; live progress is kept in memory for watchers.
class TrainingScheduler {
 public:
  // Jobs left running or queued by a previous process are failed or resumed: a running one
  // cannot be continued (it fails with a message saying so), a queued one runs.
  static absl::StatusOr<std::unique_ptr<TrainingScheduler>> Create(JobStore* jobs,
                                                                   TriggerOptions triggers,
                                                                   int64_t labels_so_far,
                                                                   RoundRunner runner,
                                                                   const Clock* clock);
  // Cancels the running job and waits for the worker to stop.
  ~TrainingScheduler();
  TrainingScheduler(const TrainingScheduler&) = delete;
  TrainingScheduler& operator=(const TrainingScheduler&) = delete;

  // Starts a round, or returns the follow-up job already waiting behind the running one.
  absl::StatusOr<v1::Job> StartRound(const std::string& trigger, bool reset_weights);
  // Counts newly stored labels and starts a round when the count trigger fires.
  void OnLabelsStored(int64_t count);
  absl::Status Cancel(int64_t job_id);

  // A job as it is now: live progress for the running one, the record otherwise.
  absl::StatusOr<v1::Job> Get(int64_t job_id);
  absl::StatusOr<std::vector<v1::Job>> List(int limit);
  // Waits until the job changes after `seen_version` (or `timeout` passes) and returns it with
  // the new change counter. For WatchJob streams.
  absl::StatusOr<v1::Job> WaitForChange(int64_t job_id, int64_t* seen_version,
                                        std::chrono::milliseconds timeout);

 private:
  TrainingScheduler(JobStore* jobs, TriggerOptions triggers, int64_t labels_so_far,
                    RoundRunner runner, const Clock* clock);
  void WorkerLoop();
  void RunJob(v1::Job job);
  // Needs mu_. Starts a round when the interval trigger is due.
  void CheckIntervalTrigger();
  // Needs mu_.
  absl::StatusOr<v1::Job> StartRoundLocked(const std::string& trigger, bool reset_weights);
  // Needs mu_. Wakes watchers.
  void Publish();

  JobStore* const jobs_;
  const TriggerOptions triggers_;
  const RoundRunner runner_;
  const Clock* const clock_;

  std::mutex mu_;
  std::condition_variable wake_worker_;
  std::condition_variable changed_;
  bool stopping_ = false;
  // Set when a job was queued, so the worker looks at once instead of at its next tick.
  bool work_pending_ = false;
  int64_t labels_total_ = 0;
  int64_t labels_at_last_round_ = 0;
  int64_t last_round_ms_ = 0;
  // The running job as it is now (id 0: none) and its change counter.
  v1::Job running_;
  int64_t version_ = 0;
  std::atomic<bool> cancel_running_{false};
  std::thread worker_;
};

}  // namespace labelloop

#endif  // LABELLOOP_SERVER_TRAINING_SCHEDULER_H_
