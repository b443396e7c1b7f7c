// labelloop labels submit: stores the boxes of a leased image (QueueService.SubmitLabels).

#include <string>

#include "absl/strings/str_cat.h"
#include "cli/box_syntax.h"
#include "cli/command_group.h"
#include "cli/message_json.h"
#include "cli/review_command.h"
#include "cli/rpc_status.h"
#include "cli/usage_error.h"
#include "labelloop/v1/queue.grpc.pb.h"

namespace labelloop {
namespace {

absl::Status Submit(const CommandContext& context, const Arguments& arguments) {
  if (absl::Status status = context.CheckFlags(arguments, {"image", "lease", "box"});
      !status.ok()) {
    return status;
  }
  if (!arguments.positionals().empty()) {
    return UsageError(absl::StrCat("labels submit takes flags only, got '",
                                   arguments.positionals()[0], "' (boxes go in --box=...)"));
  }
  absl::StatusOr<int64_t> image_id = arguments.RequireInt("image");
  if (!image_id.ok()) return image_id.status();
  absl::StatusOr<std::string> lease_id = arguments.Require("lease");
  if (!lease_id.ok()) return lease_id.status();

  v1::SubmitLabelsRequest request;
  request.set_image_id(*image_id);
  request.set_lease_id(*lease_id);
  for (const std::string& text : arguments.GetAll("box")) {
    absl::StatusOr<v1::Box> box = ParseBox(text);
    if (!box.ok()) return box.status();
    *request.add_boxes() = *std::move(box);
  }

  v1::SubmitLabelsResponse response;
  v1::QueueService::Stub stub(context.channel);
  auto rpc = context.NewRpc();
  absl::Status status =
      FromGrpcStatus(stub.SubmitLabels(rpc.get(), request, &response), context.server);
  if (!status.ok()) return status;
  if (context.json) {
    Json json;
    json["image_id"] = *image_id;
    json["label_id"] = response.label_id();
    json["version"] = response.version();
    json["status"] = LabelStatusName(response.status());
    json["boxes"] = request.boxes_size();
    *context.out << json.dump() << "\n";
  } else {
    *context.out << "stored label " << response.label_id() << " (version " << response.version()
                 << ", " << request.boxes_size() << " box(es)) for image " << *image_id
                 << (response.status() == v1::LABEL_STATUS_PENDING ? ", pending review" : "")
                 << "\n";
  }
  return absl::OkStatus();
}

}  // namespace

const CommandGroup& LabelsCommands() {
  static const auto* const group = new CommandGroup{
      "labels",
      "human labels of images",
      {
          {"submit", "submit --image=ID --lease=LEASE [--box=x1,y1,x2,y2,CLASS]...",
           "stores the boxes of a leased image (pixel corners and a class name; no --box: the "
           "image has no objects)",
           &Submit},
          {"history", "history IMAGE",
           "every label version of an image: who, when, boxes, review status and reason, the "
           "model whose pre-labels it started from (--json: JSON lines)",
           &RunLabelHistory},
      }};
  return *group;
}

}  // namespace labelloop
