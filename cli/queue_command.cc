// labelloop queue next|skip|release: images handed out under leases (QueueService).

#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "cli/command_group.h"
#include "cli/message_json.h"
#include "cli/rpc_status.h"
#include "cli/usage_error.h"
#include "labelloop/v1/queue.grpc.pb.h"

namespace labelloop {
namespace {

absl::Status NoPositionals(const Arguments& arguments, absl::string_view command) {
  if (arguments.positionals().empty()) return absl::OkStatus();
  return UsageError(
      absl::StrCat(command, " takes flags only, got '", arguments.positionals()[0], "'"));
}

// --image and --lease, which skip and release both need.
struct LeasedImage {
  int64_t image_id = 0;
  std::string lease_id;
};

absl::StatusOr<LeasedImage> ParseLeasedImage(const Arguments& arguments) {
  LeasedImage leased;
  absl::StatusOr<int64_t> image_id = arguments.RequireInt("image");
  if (!image_id.ok()) return image_id.status();
  absl::StatusOr<std::string> lease_id = arguments.Require("lease");
  if (!lease_id.ok()) return lease_id.status();
  leased.image_id = *image_id;
  leased.lease_id = *std::move(lease_id);
  return leased;
}

absl::Status Next(const CommandContext& context, const Arguments& arguments) {
  if (absl::Status status = context.CheckFlags(arguments, {"count", "annotator", "lease_seconds"});
      !status.ok()) {
    return status;
  }
  if (absl::Status status = NoPositionals(arguments, "queue next"); !status.ok()) return status;
  absl::StatusOr<int64_t> count = arguments.GetInt("count", 1);
  if (!count.ok()) return count.status();
  absl::StatusOr<std::string> annotator = arguments.Require("annotator");
  if (!annotator.ok()) return annotator.status();
  absl::StatusOr<int64_t> lease_seconds = arguments.GetInt("lease_seconds", 0);
  if (!lease_seconds.ok()) return lease_seconds.status();
  if (*count < 1 || *count > std::numeric_limits<int32_t>::max()) {
    return UsageError(absl::StrCat("--count wants a positive number, got ", *count));
  }
  if (*lease_seconds < 0 || *lease_seconds > std::numeric_limits<int32_t>::max()) {
    return UsageError(absl::StrCat("--lease_seconds wants 0 or more, got ", *lease_seconds));
  }

  v1::GetNextBatchRequest request;
  request.set_count(static_cast<int32_t>(*count));
  request.set_annotator(*annotator);
  request.set_lease_seconds(static_cast<int32_t>(*lease_seconds));
  v1::GetNextBatchResponse response;
  v1::QueueService::Stub stub(context.channel);
  auto rpc = context.NewRpc();
  absl::Status status =
      FromGrpcStatus(stub.GetNextBatch(rpc.get(), request, &response), context.server);
  if (!status.ok()) return status;
  for (const v1::QueueItem& item : response.items()) {
    *context.out << QueueItemToJson(item).dump() << "\n";
  }
  // Empty stdout alone cannot tell "all done" from "all leased to others"; say which.
  if (response.items().empty()) {
    *context.err << "queue next: nothing to hand out (" << response.remaining()
                 << " unleased, unlabeled image(s) left)\n";
  }
  return absl::OkStatus();
}

absl::Status Skip(const CommandContext& context, const Arguments& arguments) {
  if (absl::Status status = context.CheckFlags(arguments, {"image", "lease", "reason"});
      !status.ok()) {
    return status;
  }
  if (absl::Status status = NoPositionals(arguments, "queue skip"); !status.ok()) return status;
  absl::StatusOr<LeasedImage> leased = ParseLeasedImage(arguments);
  if (!leased.ok()) return leased.status();
  v1::SkipRequest request;
  request.set_image_id(leased->image_id);
  request.set_lease_id(leased->lease_id);
  request.set_reason(arguments.Get("reason").value_or(""));
  v1::SkipResponse response;
  v1::QueueService::Stub stub(context.channel);
  auto rpc = context.NewRpc();
  return FromGrpcStatus(stub.Skip(rpc.get(), request, &response), context.server);
}

absl::Status Release(const CommandContext& context, const Arguments& arguments) {
  if (absl::Status status = context.CheckFlags(arguments, {"image", "lease"}); !status.ok()) {
    return status;
  }
  if (absl::Status status = NoPositionals(arguments, "queue release"); !status.ok()) {
    return status;
  }
  absl::StatusOr<LeasedImage> leased = ParseLeasedImage(arguments);
  if (!leased.ok()) return leased.status();
  v1::ReleaseLeaseRequest request;
  request.set_image_id(leased->image_id);
  request.set_lease_id(leased->lease_id);
  v1::ReleaseLeaseResponse response;
  v1::QueueService::Stub stub(context.channel);
  auto rpc = context.NewRpc();
  return FromGrpcStatus(stub.ReleaseLease(rpc.get(), request, &response), context.server);
}

absl::Status Status(const CommandContext& context, const Arguments& arguments) {
  if (absl::Status status = context.CheckFlags(arguments, {}); !status.ok()) return status;
  if (absl::Status status = NoPositionals(arguments, "queue status"); !status.ok()) {
    return status;
  }
  v1::QueueStatus response;
  v1::QueueService::Stub stub(context.channel);
  auto rpc = context.NewRpc();
  absl::Status status = FromGrpcStatus(
      stub.GetQueueStatus(rpc.get(), v1::GetQueueStatusRequest(), &response), context.server);
  if (!status.ok()) return status;
  if (context.json) {
    Json json = {{"available", response.available()},
                 {"leased", response.leased()},
                 {"waiting", response.waiting()},
                 {"strategy", response.strategy()},
                 {"serving_version", response.serving_version()},
                 {"scored_by_serving", response.scored_by_serving()},
                 {"rescoring",
                  {{"model_version", response.rescoring_model_version()},
                   {"done", response.rescoring_done()},
                   {"total", response.rescoring_total()},
                   {"running", response.rescoring_running()}}}};
    *context.out << json.dump() << "\n";
    return absl::OkStatus();
  }
  *context.out << "waiting:  " << response.waiting() << " (" << response.available()
               << " available, " << response.leased() << " leased)\n"
               << "strategy: " << response.strategy() << "\n"
               << "model:    "
               << (response.serving_version().empty() ? "none yet (seeded random order)"
                                                      : response.serving_version())
               << "\n";
  if (!response.serving_version().empty()) {
    *context.out << "scored:   " << response.scored_by_serving() << " of " << response.waiting()
                 << " by " << response.serving_version() << " (the rest rank by older scores)\n";
  }
  if (!response.rescoring_model_version().empty()) {
    *context.out << "scoring:  " << response.rescoring_done() << "/"
                 << response.rescoring_total() << " with "
                 << response.rescoring_model_version()
                 << (response.rescoring_running() ? " (running)" : " (done)") << "\n";
  }
  return absl::OkStatus();
}

}  // namespace

const CommandGroup& QueueCommands() {
  static const auto* const group = new CommandGroup{
      "queue",
      "images to label, handed out under leases",
      {
          {"next", "next --annotator=NAME [--count=N] [--lease_seconds=S]",
           "leases the next N (default 1) images; one JSON object a line with the lease and any "
           "predicted boxes",
           &Next},
          {"skip", "skip --image=ID --lease=LEASE [--reason=TEXT]",
           "gives a leased image back, behind every unlabeled image", &Skip},
          {"release", "release --image=ID --lease=LEASE",
           "gives a leased image back to the queue at its rank", &Release},
          {"status", "status",
           "what waits, the sampling strategy, and how far pool scoring has come", &Status},
      }};
  return *group;
}

}  // namespace labelloop
