// labelloop images add|ls|get|rm: the project's images (DatasetService).

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cli/command_group.h"
#include "cli/image_files.h"
#include "cli/image_upload.h"
#include "cli/message_json.h"
#include "cli/progress_line.h"
#include "cli/rpc_status.h"
#include "cli/usage_error.h"
#include "labelloop/v1/dataset.grpc.pb.h"

namespace labelloop {
namespace {

void PrintAddTotals(const CommandContext& context, const AddTotals& totals) {
  if (context.json) {
    Json json;
    json["added"] = totals.added;
    json["duplicates"] = totals.duplicates;
    Json rejected = Json::array();
    for (const v1::RejectedImage& item : totals.rejected) {
      rejected.push_back({{"path", item.path()}, {"error", item.error()}});
    }
    json["rejected"] = std::move(rejected);
    Json images = Json::array();
    for (const v1::AddedImage& image : totals.images) {
      images.push_back({{"source", image.source()},
                        {"image_id", image.image_id()},
                        {"duplicate", image.duplicate()}});
    }
    json["images"] = std::move(images);
    *context.out << json.dump() << "\n";
    return;
  }
  *context.out << "added " << totals.added << " image(s), " << totals.duplicates
               << " duplicate(s), " << totals.rejected.size() << " rejected\n";
  for (const v1::RejectedImage& item : totals.rejected) {
    *context.out << "  rejected " << item.path() << ": " << item.error() << "\n";
  }
}

absl::Status Add(const CommandContext& context, const Arguments& arguments) {
  if (absl::Status status = context.CheckFlags(arguments, {"by_path"}); !status.ok()) {
    return status;
  }
  absl::StatusOr<bool> by_path = arguments.GetBool("by_path", false);
  if (!by_path.ok()) return by_path.status();
  if (arguments.positionals().empty()) return UsageError("images add needs at least one PATH");

  ImageFileList list = CollectImageFiles(
      arguments.positionals(), *by_path ? std::numeric_limits<uintmax_t>::max() : kMaxUploadBytes);
  AddTotals totals;
  totals.rejected = std::move(list.rejected);

  ProgressLine progress(context.err, context.err_is_tty, "images add", list.files.size());
  absl::Status status = UploadImageFiles(context, list.files, *by_path, &progress, &totals);
  if (!status.ok()) return status;
  PrintAddTotals(context, totals);
  return absl::OkStatus();
}

absl::Status List(const CommandContext& context, const Arguments& arguments) {
  if (absl::Status status = context.CheckFlags(arguments, {"state", "page_size"}); !status.ok()) {
    return status;
  }
  if (!arguments.positionals().empty()) {
    return UsageError(
        absl::StrCat("images ls takes no argument, got '", arguments.positionals()[0], "'"));
  }
  absl::StatusOr<int64_t> page_size = arguments.GetInt("page_size", 1000);
  if (!page_size.ok()) return page_size.status();
  if (*page_size < 1 || *page_size > 10000) {
    return UsageError(absl::StrCat("--page_size wants 1 to 10000, got ", *page_size));
  }
  v1::ListImagesRequest request;
  request.set_page_size(static_cast<int32_t>(*page_size));
  if (std::optional<std::string> state = arguments.Get("state"); state.has_value()) {
    std::optional<v1::ImageState> parsed = ParseImageState(*state);
    if (!parsed.has_value()) {
      return UsageError(
          absl::StrCat("--state wants unlabeled, leased, labeled or skipped, got '", *state, "'"));
    }
    request.set_state(*parsed);
  }
  v1::DatasetService::Stub stub(context.channel);
  do {
    v1::ListImagesResponse response;
    auto rpc = context.NewRpc();
    absl::Status status =
        FromGrpcStatus(stub.ListImages(rpc.get(), request, &response), context.server);
    if (!status.ok()) return status;
    for (const v1::Image& image : response.images()) {
      *context.out << ImageToJson(image).dump() << "\n";
    }
    request.set_page_token(response.next_page_token());
  } while (!request.page_token().empty());
  return absl::OkStatus();
}

absl::StatusOr<int64_t> ParseImageId(const std::string& text) {
  int64_t id = 0;
  if (!absl::SimpleAtoi(text, &id) || id <= 0) {
    return UsageError(absl::StrCat("'", text, "' is not an image id"));
  }
  return id;
}

absl::Status Get(const CommandContext& context, const Arguments& arguments) {
  if (absl::Status status = context.CheckFlags(arguments, {"out"}); !status.ok()) return status;
  if (arguments.positionals().size() != 1) return UsageError("images get needs one image ID");
  absl::StatusOr<int64_t> id = ParseImageId(arguments.positionals()[0]);
  if (!id.ok()) return id.status();
  const std::optional<std::string> out_path = arguments.Get("out");

  v1::GetImageRequest request;
  request.set_image_id(*id);
  request.set_include_bytes(out_path.has_value());
  v1::GetImageResponse response;
  v1::DatasetService::Stub stub(context.channel);
  auto rpc = context.NewRpc();
  absl::Status status =
      FromGrpcStatus(stub.GetImage(rpc.get(), request, &response), context.server);
  if (!status.ok()) return status;

  if (out_path.has_value()) {
    std::ofstream out(*out_path, std::ios::binary | std::ios::trunc);
    out.write(response.data().data(), static_cast<std::streamsize>(response.data().size()));
    out.close();
    if (!out) return absl::PermissionDeniedError(absl::StrCat("cannot write ", *out_path));
  }
  Json json = ImageToJson(response.image());
  if (response.has_label()) json["label"] = LabelToJson(response.label());
  *context.out << json.dump() << "\n";
  return absl::OkStatus();
}

absl::Status Remove(const CommandContext& context, const Arguments& arguments) {
  if (absl::Status status = context.CheckFlags(arguments, {}); !status.ok()) return status;
  if (arguments.positionals().empty()) return UsageError("images rm needs at least one image ID");
  v1::RemoveImagesRequest request;
  for (const std::string& text : arguments.positionals()) {
    absl::StatusOr<int64_t> id = ParseImageId(text);
    if (!id.ok()) return id.status();
    request.add_image_ids(*id);
  }
  v1::RemoveImagesResponse response;
  v1::DatasetService::Stub stub(context.channel);
  auto rpc = context.NewRpc();
  absl::Status status =
      FromGrpcStatus(stub.RemoveImages(rpc.get(), request, &response), context.server);
  if (!status.ok()) return status;
  if (context.json) {
    Json json;
    json["removed"] = response.removed();
    json["not_found"] =
        Json(std::vector<int64_t>(response.not_found().begin(), response.not_found().end()));
    *context.out << json.dump() << "\n";
  } else {
    *context.out << "removed " << response.removed() << " image(s)\n";
    if (!response.not_found().empty()) {
      *context.err << "not found: " << absl::StrJoin(response.not_found(), ", ") << "\n";
    }
  }
  return absl::OkStatus();
}

}  // namespace

const CommandGroup& ImagesCommands() {
  static const auto* const group = new CommandGroup{
      "images",
      "the project's images",
      {
          {"add", "add [--by_path] PATH...",
           "adds image files and folders (recursively), uploading their bytes; --by_path sends "
           "absolute paths for the daemon to read instead. Files the daemon refuses are listed "
           "as rejected; the rest are still added (exit 0)",
           &Add},
          {"ls", "ls [--state=unlabeled|leased|labeled|skipped] [--page_size=N]",
           "lists images, one JSON object a line (fetched N at a time, default 1000)", &List},
          {"get", "get ID [--out=FILE]",
           "prints an image and its latest label as JSON; --out writes its bytes to FILE", &Get},
          {"rm", "rm ID...", "removes images and their labels", &Remove},
      }};
  return *group;
}

}  // namespace labelloop
