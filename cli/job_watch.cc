#include "cli/job_watch.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "cli/job_json.h"
#include "cli/job_progress_text.h"
#include "cli/rpc_status.h"
#include "labelloop/v1/training.grpc.pb.h"

namespace labelloop {
namespace {

// A watch lasts as long as the job, so it gets no deadline of --timeout's size; this only
// bounds a stream that stays silent because the daemon hangs.
constexpr absl::Duration kWatchDeadline = absl::Hours(24 * 7);
// How often a plain (non-terminal) line is written while nothing but the step changes.
constexpr absl::Duration kPlainLineInterval = absl::Seconds(10);
// A stream that ends cleanly before the job does (a daemon shutting down its streams) is
// reopened this many times before giving up.
constexpr int kMaxReconnects = 3;

class ProgressDisplay {
 public:
  ProgressDisplay(std::ostream* err, bool is_tty) : err_(err), is_tty_(is_tty) {
    winsize size{};
    if (is_tty_ && ioctl(STDERR_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 1) {
      columns_ = size.ws_col;
    }
  }

  void Show(const v1::JobProgress& progress) {
    if (is_tty_) {
      // Redraw in place; \033[K clears what a longer previous line left behind. A line wider
      // than the terminal would wrap, and \r would then redraw only its last row.
      std::string text = JobProgressText(progress, /*bar=*/true);
      if (text.size() >= columns_) text.resize(columns_ - 1);
      *err_ << "\r\033[K" << text << std::flush;
      drawn_ = true;
      return;
    }
    // Milestones get a line at once; steps and messages that tick along ("evaluating epoch 2:
    // 37/200 images") only every few seconds, so a log gets the story, not every tick.
    const absl::Time now = absl::Now();
    const bool milestone = progress.state() != last_.state() || progress.epoch() != last_.epoch() ||
                           progress.val_map() != last_.val_map() ||
                           progress.best_epoch() != last_.best_epoch();
    if (!milestone && now - last_line_ < kPlainLineInterval) return;
    last_line_ = now;
    last_ = progress;
    *err_ << "job " << progress.job_id() << ": " << JobProgressText(progress, /*bar=*/false) << "\n"
          << std::flush;
  }

  void Finish() {
    if (drawn_) *err_ << "\n" << std::flush;
    drawn_ = false;
  }

 private:
  std::ostream* err_;
  bool is_tty_;
  size_t columns_ = 80;
  bool drawn_ = false;
  v1::JobProgress last_;
  absl::Time last_line_ = absl::InfinitePast();
};

absl::StatusOr<v1::Job> GetJob(const CommandContext& context, v1::TrainingService::Stub& stub,
                               int64_t job_id) {
  v1::GetJobRequest request;
  request.set_job_id(job_id);
  v1::Job job;
  auto rpc = context.NewRpc();
  absl::Status status = FromGrpcStatus(stub.GetJob(rpc.get(), request, &job), context.server);
  if (!status.ok()) return status;
  return job;
}

}  // namespace

absl::StatusOr<v1::Job> WatchJobToEnd(const CommandContext& context, int64_t job_id) {
  v1::TrainingService::Stub stub(context.channel);
  ProgressDisplay display(context.err, context.err_is_tty);
  for (int attempt = 0;; ++attempt) {
    v1::WatchJobRequest request;
    request.set_job_id(job_id);
    auto rpc = context.NewRpc(kWatchDeadline);
    std::unique_ptr<grpc::ClientReader<v1::JobProgress>> reader = stub.WatchJob(rpc.get(), request);
    v1::JobProgress progress;
    bool ended = false;
    while (reader->Read(&progress)) {
      display.Show(progress);
      if (IsFinalJobState(progress.state())) ended = true;
    }
    display.Finish();
    absl::Status status = FromGrpcStatus(reader->Finish(), context.server);
    if (!status.ok()) return status;
    // The stream's last message says how it ended, but not why: GetJob has the error, the
    // version written and the promotion decision.
    absl::StatusOr<v1::Job> job = GetJob(context, stub, job_id);
    if (!job.ok()) return job.status();
    if (ended || IsFinalJobState(job->state())) return job;
    if (attempt >= kMaxReconnects) {
      return absl::UnavailableError(absl::StrCat("the progress stream of job ", job_id,
                                                 " kept ending while the job was still ",
                                                 JobStateName(job->state())));
    }
  }
}

absl::Status JobOutcome(const v1::Job& job) {
  switch (job.state()) {
    case v1::JOB_STATE_SUCCEEDED:
      return absl::OkStatus();
    case v1::JOB_STATE_FAILED:
      return absl::AbortedError(absl::StrCat(
          "job ", job.id(), " failed: ", job.error().empty() ? "(no reason given)" : job.error()));
    case v1::JOB_STATE_CANCELLED:
      return absl::CancelledError(absl::StrCat("job ", job.id(), " was cancelled",
                                               job.error().empty() ? "" : ": ", job.error()));
    default:
      return absl::UnknownError(
          absl::StrCat("job ", job.id(), " has not ended (", JobStateName(job.state()), ")"));
  }
}

void PrintJob(const CommandContext& context, const v1::Job& job) {
  if (context.json) {
    *context.out << JobToJson(job).dump() << "\n";
  } else {
    *context.out << JobDetails(job);
  }
}

absl::Status WatchJobAndReport(const CommandContext& context, int64_t job_id) {
  absl::StatusOr<v1::Job> job = WatchJobToEnd(context, job_id);
  if (!job.ok()) return job.status();
  PrintJob(context, *job);
  return JobOutcome(*job);
}

}  // namespace labelloop
