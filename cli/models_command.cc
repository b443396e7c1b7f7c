// labelloop models ls|get|promote|rollback|pull: model versions (ModelService).

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "cli/checkpoint_download.h"
#include "cli/command_group.h"
#include "cli/model_json.h"
#include "cli/rpc_status.h"
#include "cli/usage_error.h"
#include "labelloop/v1/model.grpc.pb.h"

namespace labelloop {
namespace {

absl::StatusOr<std::string> OneVersion(const Arguments& arguments, absl::string_view command) {
  if (arguments.positionals().size() != 1 || arguments.positionals()[0].empty()) {
    return UsageError(absl::StrCat(command, " needs one VERSION (v3, or serving)"));
  }
  return arguments.positionals()[0];
}

void PrintModel(const CommandContext& context, const v1::Model& model) {
  const bool serving = model.status() == v1::MODEL_STATUS_SERVING;
  if (context.json) {
    *context.out << ModelToJson(model, serving).dump() << "\n";
  } else {
    *context.out << ModelDetails(model, serving);
  }
}

absl::Status List(const CommandContext& context, const Arguments& arguments) {
  if (absl::Status status = context.CheckFlags(arguments, {}); !status.ok()) return status;
  if (!arguments.positionals().empty()) return UsageError("models ls takes no argument");
  v1::ListModelsResponse response;
  v1::ModelService::Stub stub(context.channel);
  auto rpc = context.NewRpc();
  absl::Status status = FromGrpcStatus(
      stub.ListModels(rpc.get(), v1::ListModelsRequest(), &response), context.server);
  if (!status.ok()) return status;
  auto is_serving = [&](const v1::Model& model) {
    return !response.serving_version().empty() && model.version() == response.serving_version();
  };
  if (context.json) {
    for (const v1::Model& model : response.models()) {
      *context.out << ModelToJson(model, is_serving(model)).dump() << "\n";
    }
    return absl::OkStatus();
  }
  if (response.models().empty()) {
    *context.err << "models ls: no model version yet (a training round writes the first)\n";
    return absl::OkStatus();
  }
  *context.out << ModelTableHeader();
  for (const v1::Model& model : response.models()) {
    *context.out << ModelTableRow(model, is_serving(model));
  }
  if (response.serving_version().empty()) *context.err << "models ls: no version serves yet\n";
  return absl::OkStatus();
}

absl::Status Get(const CommandContext& context, const Arguments& arguments) {
  if (absl::Status status = context.CheckFlags(arguments, {}); !status.ok()) return status;
  absl::StatusOr<std::string> version = OneVersion(arguments, "models get");
  if (!version.ok()) return version.status();
  v1::GetModelRequest request;
  request.set_version(*version);
  v1::Model model;
  v1::ModelService::Stub stub(context.channel);
  auto rpc = context.NewRpc();
  absl::Status status = FromGrpcStatus(stub.GetModel(rpc.get(), request, &model), context.server);
  if (!status.ok()) return status;
  PrintModel(context, model);
  return absl::OkStatus();
}

absl::Status Promote(const CommandContext& context, const Arguments& arguments) {
  if (absl::Status status = context.CheckFlags(arguments, {}); !status.ok()) return status;
  absl::StatusOr<std::string> version = OneVersion(arguments, "models promote");
  if (!version.ok()) return version.status();
  v1::PromoteModelRequest request;
  request.set_version(*version);
  v1::Model model;
  v1::ModelService::Stub stub(context.channel);
  auto rpc = context.NewRpc();
  absl::Status status =
      FromGrpcStatus(stub.PromoteModel(rpc.get(), request, &model), context.server);
  if (!status.ok()) return status;
  PrintModel(context, model);
  return absl::OkStatus();
}

absl::Status Rollback(const CommandContext& context, const Arguments& arguments) {
  if (absl::Status status = context.CheckFlags(arguments, {}); !status.ok()) return status;
  if (!arguments.positionals().empty()) return UsageError("models rollback takes no argument");
  v1::Model model;
  v1::ModelService::Stub stub(context.channel);
  auto rpc = context.NewRpc();
  absl::Status status = FromGrpcStatus(
      stub.RollbackModel(rpc.get(), v1::RollbackModelRequest(), &model), context.server);
  if (!status.ok()) return status;
  PrintModel(context, model);
  return absl::OkStatus();
}

absl::Status Pull(const CommandContext& context, const Arguments& arguments) {
  if (absl::Status status = context.CheckFlags(arguments, {"o", "out"}); !status.ok()) {
    return status;
  }
  // The parser only knows --flags, so the short -o FILE arrives as two positionals.
  std::vector<std::string> words;
  std::string path = arguments.Get("out").value_or(arguments.Get("o").value_or(""));
  const std::vector<std::string>& positionals = arguments.positionals();
  for (size_t i = 0; i < positionals.size(); ++i) {
    if (positionals[i] != "-o") {
      words.push_back(positionals[i]);
      continue;
    }
    if (i + 1 == positionals.size()) return UsageError("-o needs a FILE");
    path = positionals[++i];
  }
  if (words.size() != 1 || words[0].empty()) {
    return UsageError("models pull needs one VERSION (v3, or serving)");
  }
  if (path.empty()) return UsageError("models pull needs -o FILE");
  const std::string version = words[0];
  absl::StatusOr<DownloadedCheckpoint> downloaded =
      DownloadCheckpointToFile(context, version, path);
  if (!downloaded.ok()) return downloaded.status();
  if (context.json) {
    Json json;
    json["version"] = downloaded->version;
    json["file"] = path;
    json["bytes"] = downloaded->bytes;
    json["sha256"] = downloaded->sha256;
    *context.out << json.dump() << "\n";
  } else {
    *context.out << "pulled " << downloaded->version << " to " << path << " (" << downloaded->bytes
                 << " bytes, sha256 " << downloaded->sha256 << " checked)\n";
  }
  return absl::OkStatus();
}

}  // namespace

const CommandGroup& ModelsCommands() {
  static const auto* const group = new CommandGroup{
      "models",
      "model versions: metrics, promotion, checkpoints",
      {
          {"ls", "ls",
           "lists versions with status, validation mAP, training labels and parent; * marks the "
           "serving one (--json: one JSON object a line)",
           &List},
          {"get", "get VERSION|serving", "shows one version with its metrics per class", &Get},
          {"promote", "promote VERSION", "serves VERSION now, whatever the promotion policy said",
           &Promote},
          {"rollback", "rollback", "serves again the version that served before the current one",
           &Rollback},
          {"pull", "pull VERSION|serving -o FILE (or --out=FILE)",
           "downloads the version's checkpoint (safetensors) into FILE; FILE is only written "
           "when its size and sha256 match what the daemon announced",
           &Pull},
      }};
  return *group;
}

}  // namespace labelloop
