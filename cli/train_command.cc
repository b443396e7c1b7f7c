// labelloop train start|cancel: training rounds on request (TrainingService).

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

absl::Status Start(const CommandContext& context, const Arguments& arguments) {
  if (absl::Status status = context.CheckFlags(arguments, {"reset_weights", "watch"});
      !status.ok()) {
    return status;
  }
  if (!arguments.positionals().empty()) {
    return UsageError(
        absl::StrCat("train start takes flags only, got '", arguments.positionals()[0], "'"));
  }
  absl::StatusOr<bool> reset_weights = arguments.GetBool("reset_weights", false);
  if (!reset_weights.ok()) return reset_weights.status();
  absl::StatusOr<bool> watch = arguments.GetBool("watch", false);
  if (!watch.ok()) return watch.status();

  v1::StartRoundRequest request;
  request.set_reset_weights(*reset_weights);
  v1::Job job;
  v1::TrainingService::Stub stub(context.channel);
  auto rpc = context.NewRpc();
  absl::Status status = FromGrpcStatus(stub.StartRound(rpc.get(), request, &job), context.server);
  if (!status.ok()) return status;
  if (!*watch) {
    PrintJob(context, job);
    return absl::OkStatus();
  }
  // With --watch, stdout gets the job as it ended (what a script wants); the start is only news.
  *context.err << "train start: job " << job.id() << " " << JobStateName(job.state()) << "\n";
  return WatchJobAndReport(context, job.id());
}

absl::Status Cancel(const CommandContext& context, const Arguments& arguments) {
  if (absl::Status status = context.CheckFlags(arguments, {}); !status.ok()) return status;
  int64_t job_id = 0;
  if (arguments.positionals().size() != 1 ||
      !absl::SimpleAtoi(arguments.positionals()[0], &job_id)) {
    return UsageError("train cancel needs one job ID");
  }
  v1::CancelJobRequest request;
  request.set_job_id(job_id);
  v1::Job job;
  v1::TrainingService::Stub stub(context.channel);
  auto rpc = context.NewRpc();
  absl::Status status = FromGrpcStatus(stub.CancelJob(rpc.get(), request, &job), context.server);
  if (!status.ok()) return status;
  PrintJob(context, job);
  return absl::OkStatus();
}

}  // namespace

const CommandGroup& TrainCommands() {
  static const auto* const group = new CommandGroup{
      "train",
      "training rounds on request",
      {
          {"start", "start [--reset_weights] [--watch]",
           "starts a training round now (or schedules one after the running job); "
           "--reset_weights trains from the config's initial weights instead of the serving "
           "model; --watch follows it with a progress bar on stderr, prints the job as it ended "
           "and exits 1 unless it succeeded",
           &Start},
          {"cancel", "cancel ID", "cancels a queued or running job; the serving model stays",
           &Cancel},
      }};
  return *group;
}

}  // namespace labelloop
