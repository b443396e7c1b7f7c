// labelloop jobs ls|get|watch: training jobs, past and running (TrainingService).

#include <limits>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "cli/command_group.h"
#include "cli/job_json.h"
#include "cli/job_watch.h"
#include "cli/rpc_status.h"
#include "cli/usage_error.h"
#include "labelloop/v1/training.grpc.pb.h"

namespace labelloop {
namespace {

absl::StatusOr<int64_t> OneJobId(const Arguments& arguments, absl::string_view command) {
  int64_t job_id = 0;
  if (arguments.positionals().size() != 1 ||
      !absl::SimpleAtoi(arguments.positionals()[0], &job_id) || job_id <= 0) {
    return UsageError(absl::StrCat(command, " needs one job ID (a positive number)"));
  }
  return job_id;
}

absl::Status List(const CommandContext& context, const Arguments& arguments) {
  if (absl::Status status = context.CheckFlags(arguments, {"limit"}); !status.ok()) return status;
  if (!arguments.positionals().empty()) return UsageError("jobs ls takes no argument");
  absl::StatusOr<int64_t> limit = arguments.GetInt("limit", 0);
  if (!limit.ok()) return limit.status();
  if (*limit < 0 || *limit > std::numeric_limits<int32_t>::max()) {
    return UsageError(absl::StrCat("--limit wants a positive number, got ", *limit));
  }
  v1::ListJobsRequest request;
  request.set_limit(static_cast<int32_t>(*limit));
  v1::ListJobsResponse response;
  v1::TrainingService::Stub stub(context.channel);
  auto rpc = context.NewRpc();
  absl::Status status =
      FromGrpcStatus(stub.ListJobs(rpc.get(), request, &response), context.server);
  if (!status.ok()) return status;
  if (context.json) {
    for (const v1::Job& job : response.jobs()) *context.out << JobToJson(job).dump() << "\n";
    return absl::OkStatus();
  }
  if (response.jobs().empty()) {
    *context.err << "jobs ls: no training job yet (see labelloop train start)\n";
    return absl::OkStatus();
  }
  *context.out << JobTableHeader();
  for (const v1::Job& job : response.jobs()) *context.out << JobTableRow(job);
  return absl::OkStatus();
}

absl::Status Get(const CommandContext& context, const Arguments& arguments) {
  if (absl::Status status = context.CheckFlags(arguments, {}); !status.ok()) return status;
  absl::StatusOr<int64_t> job_id = OneJobId(arguments, "jobs get");
  if (!job_id.ok()) return job_id.status();
  v1::GetJobRequest request;
  request.set_job_id(*job_id);
  v1::Job job;
  v1::TrainingService::Stub stub(context.channel);
  auto rpc = context.NewRpc();
  absl::Status status = FromGrpcStatus(stub.GetJob(rpc.get(), request, &job), context.server);
  if (!status.ok()) return status;
  PrintJob(context, job);
  return absl::OkStatus();
}

absl::Status Watch(const CommandContext& context, const Arguments& arguments) {
  if (absl::Status status = context.CheckFlags(arguments, {}); !status.ok()) return status;
  absl::StatusOr<int64_t> job_id = OneJobId(arguments, "jobs watch");
  if (!job_id.ok()) return job_id.status();
  return WatchJobAndReport(context, *job_id);
}

}  // namespace

const CommandGroup& JobsCommands() {
  static const auto* const group = new CommandGroup{
      "jobs",
      "training jobs, past and running",
      {
          {"ls", "ls [--limit=N]",
           "lists jobs, newest first (default 50; --json: one JSON object a line)", &List},
          {"get", "get ID", "shows one job: state, labels, versions, progress, error", &Get},
          {"watch", "watch ID",
           "follows a job to its end with a progress bar on stderr, prints it as it ended and "
           "exits 1 unless it succeeded",
           &Watch},
      }};
  return *group;
}

}  // namespace labelloop
