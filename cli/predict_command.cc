// labelloop predict IMAGE...: runs a model version of the daemon on local image files
// (ModelService.Predict), for label assist on images that are not in the project.

#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "cli/command_group.h"
#include "cli/message_json.h"
#include "cli/rpc_status.h"
#include "cli/usage_error.h"
#include "labelloop/v1/model.grpc.pb.h"

namespace labelloop {
namespace {

// As `images add`: the daemon's largest message is 64 MiB, so a bigger file could never go.
constexpr uintmax_t kMaxImageBytes = (64ull << 20) - (64ull << 10);

absl::StatusOr<std::string> ReadImageFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot open"));
  std::string bytes;
  char buffer[1 << 16];
  while (in.read(buffer, sizeof(buffer)) || in.gcount() > 0) {
    bytes.append(buffer, static_cast<size_t>(in.gcount()));
    if (bytes.size() > kMaxImageBytes) {
      return absl::ResourceExhaustedError(
          absl::StrCat(path, ": over the client's limit of ", kMaxImageBytes, " bytes"));
    }
  }
  if (in.bad()) return absl::DataLossError(absl::StrCat(path, ": read failed"));
  return bytes;
}

absl::Status Predict(const CommandContext& context, const Arguments& arguments) {
  if (absl::Status status = context.CheckFlags(arguments, {"version", "threshold"}); !status.ok()) {
    return status;
  }
  if (arguments.positionals().empty()) return UsageError("predict needs at least one IMAGE");
  absl::StatusOr<double> threshold = arguments.GetDouble("threshold", 0);
  if (!threshold.ok()) return threshold.status();
  if (*threshold < 0 || *threshold > 1) {
    return UsageError(absl::StrCat("--threshold wants a score in [0, 1], got ", *threshold));
  }
  const std::string version = arguments.Get("version").value_or("");

  v1::ModelService::Stub stub(context.channel);
  int failed = 0;
  absl::Status last_error;
  for (const std::string& path : arguments.positionals()) {
    absl::StatusOr<std::string> bytes = ReadImageFile(path);
    absl::Status status = bytes.status();
    v1::PredictResponse response;
    if (status.ok()) {
      v1::PredictRequest request;
      request.set_image_data(*std::move(bytes));
      request.set_model_version(version);
      request.set_score_threshold(static_cast<float>(*threshold));
      auto rpc = context.NewRpc();
      status = FromGrpcStatus(stub.Predict(rpc.get(), request, &response), context.server);
      // Unreachable daemon or unknown version: every other image would fail the same way.
      if (status.code() == absl::StatusCode::kUnavailable ||
          status.code() == absl::StatusCode::kNotFound ||
          status.code() == absl::StatusCode::kFailedPrecondition) {
        return status;
      }
      if (!status.ok())
        status = absl::Status(status.code(), absl::StrCat(path, ": ", status.message()));
    }
    if (!status.ok()) {
      // One bad file should not hide the answers for the others: report it and go on.
      *context.err << "predict: " << status.message() << "\n";
      ++failed;
      last_error = status;
      continue;
    }
    Json line;
    line["image"] = path;
    line["model_version"] = response.model_version();
    line["detections"] = Json::array();
    for (const v1::Box& box : response.detections()) line["detections"].push_back(BoxToJson(box));
    *context.out << line.dump() << "\n" << std::flush;
  }
  if (failed == 0) return absl::OkStatus();
  // Each failure was reported above; the error only sums up, so nothing is said twice.
  return absl::Status(
      last_error.code(),
      absl::StrCat(failed, " of ", arguments.positionals().size(), " image(s) failed"));
}

}  // namespace

const CommandGroup& PredictCommands() {
  static const auto* const group = new CommandGroup{
      "predict",
      "detections of a daemon's model on local images",
      {
          {"", "IMAGE... [--version=V] [--threshold=T]",
           "runs the serving model (or version V) on each image file; one JSON object a line: "
           "{\"image\",\"model_version\",\"detections\":[{\"box\",\"class\",\"score\"}]}. "
           "--threshold: lowest score kept (default: the daemon's label-assist threshold)",
           &Predict},
      }};
  return *group;
}

}  // namespace labelloop
