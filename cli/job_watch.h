#ifndef LABELLOOP_CLI_JOB_WATCH_H_
#define LABELLOOP_CLI_JOB_WATCH_H_

#include <cstdint>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "cli/command_context.h"
#include "labelloop/v1/training.pb.h"

namespace labelloop {

// Follows a training job to its end with WatchJob, showing its progress on context.err: a bar
// redrawn in place on a terminal, otherwise a plain line whenever the epoch, state or message
// changes (and at most every few seconds in between), so logs stay short. Returns the job as
// GetJob reports it once it has ended (with its error, result version and promotion).
absl::StatusOr<v1::Job> WatchJobToEnd(const CommandContext& context, int64_t job_id);

// OK for a job that succeeded; an error saying why for one that failed or was cancelled.
absl::Status JobOutcome(const v1::Job& job);

// A job on context.out: one JSON line with --json, else JobDetails.
void PrintJob(const CommandContext& context, const v1::Job& job);

// `train start --watch` and `jobs watch`: watches the job to its end, prints it as it ended,
// and returns JobOutcome (so the command exits 1 unless it succeeded).
absl::Status WatchJobAndReport(const CommandContext& context, int64_t job_id);

}  // namespace labelloop

#endif  // LABELLOOP_CLI_JOB_WATCH_H_
