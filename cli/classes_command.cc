// labelloop classes ls|set: the project's class list (DatasetService).

#include <string>

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

}  // namespace

const CommandGroup& ClassesCommands() {
  static const auto* const group = new CommandGroup{
      "classes",
      "the project's class list",
      {
          {"ls", "ls", "lists the classes (id, name, boxes using it; --json: JSON lines)", &List},
          {"set", "set NAME...",
           "makes the class list exactly NAME...: adds new names, removes unused ones", &Set},
      }};
  return *group;
}

}  // namespace labelloop
