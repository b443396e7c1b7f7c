// labelloop classes ls|set|add|rename|merge|delete|changes: the project's class list and its
// recorded changes (DatasetService).

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cli/command_group.h"
#include "cli/message_json.h"
#include "cli/rpc_status.h"
#include "cli/usage_error.h"
#include "labelloop/v1/dataset.grpc.pb.h"

namespace labelloop {
namespace {

void PrintClasses(const CommandContext& context,
                  const google::protobuf::RepeatedPtrField<v1::ClassInfo>& classes) {
  for (const v1::ClassInfo& class_info : classes) {
    if (context.json) {
      *context.out << ClassToJson(class_info).dump() << "\n";
    } else {
      *context.out << class_info.id() << "\t" << class_info.name() << "\t" << class_info.box_count()
                   << " box(es)\n";
    }
  }
}

absl::Status List(const CommandContext& context, const Arguments& arguments) {
  if (absl::Status status = context.CheckFlags(arguments, {}); !status.ok()) return status;
  if (!arguments.positionals().empty()) return UsageError("classes ls takes no argument");
  v1::GetClassesResponse response;
  v1::DatasetService::Stub stub(context.channel);
  auto rpc = context.NewRpc();
  absl::Status status = FromGrpcStatus(
      stub.GetClasses(rpc.get(), v1::GetClassesRequest(), &response), context.server);
  if (!status.ok()) return status;
  PrintClasses(context, response.classes());
  return absl::OkStatus();
}

absl::Status Set(const CommandContext& context, const Arguments& arguments) {
  if (absl::Status status = context.CheckFlags(arguments, {}); !status.ok()) return status;
  // An empty list would drop every class; make that a mistake rather than a default.
  if (arguments.positionals().empty()) return UsageError("classes set needs at least one NAME");
  v1::UpdateClassesRequest request;
  for (const std::string& name : arguments.positionals()) request.add_names(name);
  v1::UpdateClassesResponse response;
  v1::DatasetService::Stub stub(context.channel);
  auto rpc = context.NewRpc();
  absl::Status status =
      FromGrpcStatus(stub.UpdateClasses(rpc.get(), request, &response), context.server);
  if (!status.ok()) return status;
  PrintClasses(context, response.classes());
  return absl::OkStatus();
}

std::string ChangeKindName(v1::ClassChangeKind kind) {
  switch (kind) {
    case v1::CLASS_CHANGE_KIND_ADD:
      return "add";
    case v1::CLASS_CHANGE_KIND_RENAME:
      return "rename";
    case v1::CLASS_CHANGE_KIND_MERGE:
      return "merge";
    case v1::CLASS_CHANGE_KIND_DELETE:
      return "delete";
    default:
      return "unknown";
  }
}

// One line per change: what changed, how many boxes moved or went, which images now wait for
// review (--json: one object per change).
void PrintChange(const CommandContext& context, const v1::ClassChange& change) {
  std::vector<std::string> from(change.from_names().begin(), change.from_names().end());
  std::vector<int64_t> images(change.image_ids().begin(), change.image_ids().end());
  if (context.json) {
    Json json;
    json["seq"] = change.seq();
    json["kind"] = ChangeKindName(change.kind());
    json["from"] = from;
    json["to"] = change.to_name();
    json["boxes_remapped"] = change.boxes_remapped();
    json["boxes_dropped"] = change.boxes_dropped();
    json["images_to_review"] = images;
    json["created_unix_ms"] = change.created_unix_ms();
    *context.out << json.dump() << "\n";
    return;
  }
  *context.out << "change " << change.seq() << ": " << ChangeKindName(change.kind()) << " "
               << absl::StrJoin(from, ", ")
               << (change.to_name().empty() || from.empty() ? "" : " -> ") << change.to_name()
               << "; " << change.boxes_remapped() << " box(es) remapped, " << change.boxes_dropped()
               << " dropped, " << images.size() << " image(s) to review"
               << (images.empty() ? "" : ": ") << absl::StrJoin(images, " ") << "\n";
}

// Runs one class change and prints it, then (without --json) the class list after it.
template <typename Request>
absl::Status Change(const CommandContext& context, const Request& request,
                    grpc::Status (v1::DatasetService::Stub::*rpc)(grpc::ClientContext*,
                                                                  const Request&,
                                                                  v1::ClassChange*)) {
  v1::ClassChange change;
  v1::DatasetService::Stub stub(context.channel);
  auto call = context.NewRpc();
  absl::Status status = FromGrpcStatus((stub.*rpc)(call.get(), request, &change), context.server);
  if (!status.ok()) return status;
  PrintChange(context, change);
  if (!context.json) PrintClasses(context, change.classes());
  return absl::OkStatus();
}

absl::Status Add(const CommandContext& context, const Arguments& arguments) {
  if (absl::Status status = context.CheckFlags(arguments, {}); !status.ok()) return status;
  if (arguments.positionals().size() != 1) return UsageError("classes add takes one NAME");
  v1::AddClassRequest request;
  request.set_name(arguments.positionals()[0]);
  return Change(context, request, &v1::DatasetService::Stub::AddClass);
}

absl::Status Rename(const CommandContext& context, const Arguments& arguments) {
  if (absl::Status status = context.CheckFlags(arguments, {}); !status.ok()) return status;
  if (arguments.positionals().size() != 2) return UsageError("classes rename takes OLD NEW");
  v1::RenameClassRequest request;
  request.set_from(arguments.positionals()[0]);
  request.set_to(arguments.positionals()[1]);
  return Change(context, request, &v1::DatasetService::Stub::RenameClass);
}

absl::Status Merge(const CommandContext& context, const Arguments& arguments) {
  if (absl::Status status = context.CheckFlags(arguments, {"into"}); !status.ok()) return status;
  absl::StatusOr<std::string> into = arguments.Require("into");
  if (!into.ok()) return into.status();
  if (arguments.positionals().empty()) return UsageError("classes merge needs a NAME to merge");
  v1::MergeClassesRequest request;
  for (const std::string& name : arguments.positionals()) request.add_sources(name);
  request.set_target(*into);
  return Change(context, request, &v1::DatasetService::Stub::MergeClasses);
}

absl::Status Delete(const CommandContext& context, const Arguments& arguments) {
  if (absl::Status status = context.CheckFlags(arguments, {}); !status.ok()) return status;
  if (arguments.positionals().size() != 1) return UsageError("classes delete takes one NAME");
  v1::DeleteClassRequest request;
  request.set_name(arguments.positionals()[0]);
  return Change(context, request, &v1::DatasetService::Stub::DeleteClass);
}

absl::Status Changes(const CommandContext& context, const Arguments& arguments) {
  if (absl::Status status = context.CheckFlags(arguments, {}); !status.ok()) return status;
  if (!arguments.positionals().empty()) return UsageError("classes changes takes no argument");
  v1::ListClassChangesResponse response;
  v1::DatasetService::Stub stub(context.channel);
  auto rpc = context.NewRpc();
  absl::Status status = FromGrpcStatus(
      stub.ListClassChanges(rpc.get(), v1::ListClassChangesRequest(), &response), context.server);
  if (!status.ok()) return status;
  for (const v1::ClassChange& change : response.changes()) PrintChange(context, change);
  return absl::OkStatus();
}

}  // namespace

const CommandGroup& ClassesCommands() {
  static const auto* const group = new CommandGroup{
      "classes",
      "the project's class list",
      {
          {"ls", "ls", "lists the classes (id, name, boxes using it; --json: JSON lines)", &List},
          {"set", "set NAME...",
           "makes the class list exactly NAME...: adds new names, removes unused ones", &Set},
          {"add", "add NAME", "adds a class (training grows the classifier, keeping the others)",
           &Add},
          {"rename", "rename OLD NEW",
           "renames a class; its boxes and the model's learned weights follow", &Rename},
          {"merge", "merge NAME... --into=TARGET",
           "moves the boxes of NAME... to TARGET (added if new) as new label versions, retires "
           "NAME..., and marks the images changed for review",
           &Merge},
          {"delete", "delete NAME",
           "drops the class's boxes from the latest labels (new label versions; older ones are "
           "kept), retires it, and marks the images changed for review",
           &Delete},
          {"changes", "changes", "lists the recorded class changes (--json: JSON lines)", &Changes},
      }};
  return *group;
}

}  // namespace labelloop
