// labelloop review next|accept|reject|edit|release: the review of submitted labels
// (ReviewService), and labelloop labels history.

#include "cli/review_command.h"

#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "cli/box_syntax.h"
#include "cli/command_group.h"
#include "cli/message_json.h"
#include "cli/rpc_status.h"
#include "cli/usage_error.h"
#include "labelloop/v1/review.grpc.pb.h"

namespace labelloop {
namespace {

// The one positional ID a command takes, named `what` in errors.
absl::StatusOr<int64_t> OneId(const Arguments& arguments, const std::string& command,
                              const std::string& what) {
  if (arguments.positionals().size() != 1) {
    return UsageError(absl::StrCat(command, " takes one ", what, " ID"));
  }
  int64_t id = 0;
  if (!absl::SimpleAtoi(arguments.positionals()[0], &id) || id <= 0) {
    return UsageError(absl::StrCat(what, " ID must be a positive number, got \"",
                                   arguments.positionals()[0], "\""));
  }
  return id;
}

std::string HumanLine(const v1::LabelVersion& label) {
  std::string line =
      absl::StrCat("label ", label.label_id(), "\timage ", label.image_id(), " v", label.version(),
                   "\t", LabelStatusName(label.status()), "\t", LabelSourceName(label.source()),
                   "\tby ", label.annotator(), "\t", label.boxes_size(), " box(es)");
  if (!label.reviewer().empty()) absl::StrAppend(&line, "\treviewed by ", label.reviewer());
  if (!label.reject_reason().empty()) absl::StrAppend(&line, ": ", label.reject_reason());
  if (!label.prelabel_model_version().empty()) {
    absl::StrAppend(&line, "\tpre-labels ", label.prelabel_model_version());
  }
  return line;
}

absl::Status Next(const CommandContext& context, const Arguments& arguments) {
  if (absl::Status status = context.CheckFlags(arguments, {"reviewer", "lease_seconds"});
      !status.ok()) {
    return status;
  }
  if (!arguments.positionals().empty()) return UsageError("review next takes flags only");
  v1::GetNextReviewRequest request;
  request.set_reviewer(arguments.Get("reviewer").value_or(""));
  absl::StatusOr<int64_t> seconds = arguments.GetInt("lease_seconds", 0);
  if (!seconds.ok()) return seconds.status();
  request.set_lease_seconds(static_cast<int32_t>(*seconds));
  v1::GetNextReviewResponse response;
  v1::ReviewService::Stub stub(context.channel);
  auto rpc = context.NewRpc();
  absl::Status called =
      FromGrpcStatus(stub.GetNextReview(rpc.get(), request, &response), context.server);
  if (!called.ok()) return called;
  if (context.json) {
    Json json;
    if (response.has_item()) {
      const v1::ReviewItem& item = response.item();
      json["label"] = LabelVersionToJson(item.label());
      json["uri"] = item.uri();
      json["width"] = item.width();
      json["height"] = item.height();
      Json prelabels = Json::array();
      for (const v1::Box& box : item.prelabels()) prelabels.push_back(BoxToJson(box));
      json["prelabels"] = std::move(prelabels);
      json["lease_id"] = item.lease_id();
      json["lease_expires_unix_ms"] = item.lease_expires_unix_ms();
    }
    json["pending"] = response.pending();
    *context.out << json.dump() << "\n";
  } else if (response.has_item()) {
    *context.out << HumanLine(response.item().label()) << "\t" << response.item().uri()
                 << "\nlease " << response.item().lease_id() << "; " << response.pending()
                 << " more pending\n";
  } else {
    *context.out << "nothing to review (" << response.pending() << " pending under other leases "
                 << "or your own)\n";
  }
  return absl::OkStatus();
}

// accept, reject, edit and release: one label under its review lease.
absl::Status Decide(const CommandContext& context, const Arguments& arguments,
                    const std::string& verb) {
  absl::Status flags = verb == "reject" ? context.CheckFlags(arguments, {"lease", "reason"})
                       : verb == "edit" ? context.CheckFlags(arguments, {"lease", "box"})
                                        : context.CheckFlags(arguments, {"lease"});
  if (!flags.ok()) return flags;
  absl::StatusOr<int64_t> label_id = OneId(arguments, absl::StrCat("review ", verb), "label");
  if (!label_id.ok()) return label_id.status();
  absl::StatusOr<std::string> lease = arguments.Require("lease");
  if (!lease.ok()) return lease.status();
  v1::ReviewService::Stub stub(context.channel);
  auto rpc = context.NewRpc();
  v1::ReviewedLabel reviewed;
  grpc::Status status;
  if (verb == "accept") {
    v1::AcceptLabelRequest request;
    request.set_label_id(*label_id);
    request.set_lease_id(*lease);
    status = stub.AcceptLabel(rpc.get(), request, &reviewed);
  } else if (verb == "reject") {
    absl::StatusOr<std::string> reason = arguments.Require("reason");
    if (!reason.ok()) return reason.status();
    v1::RejectLabelRequest request;
    request.set_label_id(*label_id);
    request.set_lease_id(*lease);
    request.set_reason(*reason);
    status = stub.RejectLabel(rpc.get(), request, &reviewed);
  } else if (verb == "edit") {
    v1::EditLabelRequest request;
    request.set_label_id(*label_id);
    request.set_lease_id(*lease);
    for (const std::string& text : arguments.GetAll("box")) {
      absl::StatusOr<v1::Box> box = ParseBox(text);
      if (!box.ok()) return box.status();
      *request.add_boxes() = *std::move(box);
    }
    status = stub.EditLabel(rpc.get(), request, &reviewed);
  } else {
    v1::ReleaseReviewRequest request;
    request.set_label_id(*label_id);
    request.set_lease_id(*lease);
    v1::ReleaseReviewResponse released;
    absl::Status called =
        FromGrpcStatus(stub.ReleaseReview(rpc.get(), request, &released), context.server);
    if (!called.ok()) return called;
    if (context.json) {
      *context.out << Json{{"label_id", *label_id}, {"released", true}}.dump() << "\n";
    } else {
      *context.out << "label " << *label_id << " released for the next reviewer\n";
    }
    return absl::OkStatus();
  }
  absl::Status called = FromGrpcStatus(status, context.server);
  if (!called.ok()) return called;
  if (context.json) {
    Json json;
    json["label"] = LabelVersionToJson(reviewed.label());
    if (reviewed.has_edited()) json["edited"] = LabelVersionToJson(reviewed.edited());
    *context.out << json.dump() << "\n";
  } else {
    *context.out << HumanLine(reviewed.label()) << "\n";
    if (reviewed.has_edited()) *context.out << HumanLine(reviewed.edited()) << "\n";
  }
  return absl::OkStatus();
}

absl::Status Accept(const CommandContext& context, const Arguments& arguments) {
  return Decide(context, arguments, "accept");
}
absl::Status Reject(const CommandContext& context, const Arguments& arguments) {
  return Decide(context, arguments, "reject");
}
absl::Status Edit(const CommandContext& context, const Arguments& arguments) {
  return Decide(context, arguments, "edit");
}
absl::Status Release(const CommandContext& context, const Arguments& arguments) {
  return Decide(context, arguments, "release");
}

}  // namespace

absl::Status RunLabelHistory(const CommandContext& context, const Arguments& arguments) {
  if (absl::Status status = context.CheckFlags(arguments, {}); !status.ok()) return status;
  absl::StatusOr<int64_t> image_id = OneId(arguments, "labels history", "image");
  if (!image_id.ok()) return image_id.status();
  v1::GetLabelHistoryRequest request;
  request.set_image_id(*image_id);
  v1::LabelHistory history;
  v1::ReviewService::Stub stub(context.channel);
  auto rpc = context.NewRpc();
  absl::Status called =
      FromGrpcStatus(stub.GetLabelHistory(rpc.get(), request, &history), context.server);
  if (!called.ok()) return called;
  for (const v1::LabelVersion& version : history.versions()) {
    if (context.json) {
      *context.out << LabelVersionToJson(version).dump() << "\n";
    } else {
      *context.out << HumanLine(version) << "\n";
    }
  }
  if (!context.json) *context.out << history.versions_size() << " version(s)\n";
  return absl::OkStatus();
}

const CommandGroup& ReviewCommands() {
  static const auto* const group = new CommandGroup{
      "review",
      "accept, reject or correct submitted labels (only accepted labels train)",
      {
          {"next", "next [--reviewer=NAME] [--lease_seconds=N]",
           "leases the oldest pending label to you (never your own); --json: one JSON line", &Next},
          {"accept", "accept LABEL --lease=LEASE", "accepts the label: it trains from now on",
           &Accept},
          {"reject", "reject LABEL --lease=LEASE --reason=TEXT",
           "rejects the label; the image goes back to the queue with the boxes and the reason",
           &Reject},
          {"edit", "edit LABEL --lease=LEASE [--box=x1,y1,x2,y2,CLASS]...",
           "stores your corrected boxes as a new, accepted label version", &Edit},
          {"release", "release LABEL --lease=LEASE",
           "gives the review back undecided, for the next reviewer", &Release},
      }};
  return *group;
}

}  // namespace labelloop
