// labelloop report --out=DIR: a self-contained HTML page about the model versions (ModelService)
// with the hardest validation images' pictures (DatasetService) copied beside it.

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "cli/command_group.h"
#include "cli/report/report_html.h"
#include "cli/rpc_status.h"
#include "cli/usage_error.h"
#include "labelloop/v1/dataset.grpc.pb.h"
#include "labelloop/v1/model.grpc.pb.h"

namespace labelloop {
namespace {

namespace fs = std::filesystem;

absl::Status WriteFile(const fs::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) return absl::InternalError(absl::StrCat("cannot write ", path.string()));
  return absl::OkStatus();
}

// The picture's extension from its first bytes, so that a browser shows it whatever its uri was.
std::string ImageExtension(const std::string& bytes) {
  if (bytes.rfind("\xff\xd8\xff", 0) == 0) return ".jpg";
  if (bytes.rfind("\x89PNG", 0) == 0) return ".png";
  if (bytes.rfind("BM", 0) == 0) return ".bmp";
  if (bytes.rfind("RIFF", 0) == 0) return ".webp";
  return ".img";
}

absl::Status Report(const CommandContext& context, const Arguments& arguments) {
  if (absl::Status status = context.CheckFlags(arguments, {"out"}); !status.ok()) return status;
  if (!arguments.positionals().empty())
    return UsageError("report takes no argument; use --out=DIR");
  absl::StatusOr<std::string> out_dir = arguments.Require("out");
  if (!out_dir.ok()) return out_dir.status();
  const fs::path dir(*out_dir);
  std::error_code error;
  fs::create_directories(dir / "images", error);
  if (error) {
    return absl::InvalidArgumentError(
        absl::StrCat("--out: cannot create ", (dir / "images").string(), ": ", error.message()));
  }

  ReportInput input;
  input.server = context.server;
  input.generated_at = absl::FormatTime("%Y-%m-%d %H:%M:%S UTC", absl::Now(), absl::UTCTimeZone());
  {
    v1::ModelService::Stub stub(context.channel);
    auto rpc = context.NewRpc();
    absl::Status status = FromGrpcStatus(
        stub.ListModels(rpc.get(), v1::ListModelsRequest(), &input.models), context.server);
    if (!status.ok()) return status;
  }
  int pictures = 0;
  if (const v1::Model* model = ReportedModel(input.models); model != nullptr) {
    v1::DatasetService::Stub stub(context.channel);
    for (const v1::HardImage& hard : model->metrics().hardest_images()) {
      v1::GetImageRequest request;
      request.set_image_id(hard.image_id());
      request.set_include_bytes(true);
      v1::GetImageResponse response;
      auto rpc = context.NewRpc();
      absl::Status status =
          FromGrpcStatus(stub.GetImage(rpc.get(), request, &response), context.server);
      if (!status.ok()) {
        // A removed image leaves a gap in the page, not a failed report.
        *context.err << "report: image " << hard.image_id() << ": " << status.message() << "\n";
        continue;
      }
      const std::string name = absl::StrCat(hard.image_id(), ImageExtension(response.data()));
      if (absl::Status s = WriteFile(dir / "images" / name, response.data()); !s.ok()) return s;
      input.thumbnails[hard.image_id()] = absl::StrCat("images/", name);
      ++pictures;
    }
  }
  const fs::path page = dir / "index.html";
  if (absl::Status s = WriteFile(page, ReportHtml(input)); !s.ok()) return s;
  *context.out << page.string() << "\n";
  *context.err << "report: " << input.models.models_size() << " versions, " << pictures
               << " pictures\n";
  return absl::OkStatus();
}

}  // namespace

const CommandGroup& ReportCommands() {
  static const auto* const group = new CommandGroup{
      "report",
      "an HTML page about the model versions",
      {
          {"", "--out=DIR",
           "writes DIR/index.html (no script, nothing fetched; open it in a browser): learning "
           "curve across versions, per-class AP, confusion matrix, false positives and misses, "
           "the hardest validation images (copied into DIR/images/) and the auto-labeling "
           "threshold, for the serving version (else the newest)",
           &Report},
      }};
  return *group;
}

}  // namespace labelloop
