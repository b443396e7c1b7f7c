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
#include "cli/message_json.h"
#include "cli/progress_line.h"
#include "cli/rpc_status.h"
#include "cli/usage_error.h"
#include "labelloop/v1/dataset.grpc.pb.h"

namespace labelloop {
namespace {

// Files above this are rejected before reading: the daemon's default limit is 50 MiB and its
// largest message 64 MiB (a bigger one would break the whole stream, so leave room for the
// name), so such a file could never be accepted and reading it only costs memory. --by_path
// sends no bytes and so has no client-side limit.
constexpr uintmax_t kMaxUploadBytes = (64ull << 20) - (64ull << 10);
// One AddImages stream carries at most this much, so each stream finishes well within its
// deadline (the daemon syncs every item to disk), what was added stays added if a later stream
// fails, and progress counts stored files.
constexpr size_t kMaxFilesPerStream = 100;
constexpr uintmax_t kMaxBytesPerStream = 64ull << 20;
// Deadline allowance for the bytes themselves, on top of --timeout: a slow link's worth.
constexpr double kUploadBytesPerSecond = 1 << 20;

struct AddTotals {
  int added = 0;
  int duplicates = 0;
  std::vector<v1::RejectedImage> rejected;
  std::vector<v1::AddedImage> images;
};

// Reads at most `max_bytes`; a file that grew past them since it was listed is refused.
absl::StatusOr<std::string> ReadFile(const std::filesystem::path& path, uintmax_t max_bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError("cannot open");
  std::string bytes;
  char buffer[1 << 16];
  while (in.read(buffer, sizeof(buffer)) || in.gcount() > 0) {
    bytes.append(buffer, static_cast<size_t>(in.gcount()));
    if (bytes.size() > max_bytes) {
      return absl::ResourceExhaustedError(
          absl::StrCat("file grew over the client's limit of ", max_bytes, " bytes"));
    }
  }
  if (in.bad()) return absl::DataLossError("read failed");
  return bytes;
}

// Sends files[begin, end) on one AddImages stream and adds the reply to `totals`.
absl::Status AddBatch(const CommandContext& context, v1::DatasetService::Stub& stub,
                      const std::vector<ImageFile>& files, size_t begin, size_t end, bool by_path,
                      AddTotals& totals) {
  uintmax_t batch_bytes = 0;
  for (size_t i = begin; i < end; ++i) batch_bytes += by_path ? 0 : files[i].size_bytes;
  auto rpc = context.NewRpc(
      context.timeout + absl::Seconds(static_cast<double>(batch_bytes) / kUploadBytesPerSecond));
  v1::AddImagesResponse response;
  auto writer = stub.AddImages(rpc.get(), &response);
  for (size_t i = begin; i < end; ++i) {
    const std::filesystem::path& path = files[i].path;
    v1::AddImagesRequest request;
    if (by_path) {
      std::error_code error;
      request.set_path(std::filesystem::absolute(path, error).string());
    } else {
      absl::StatusOr<std::string> bytes = ReadFile(path, kMaxUploadBytes);
      if (!bytes.ok()) {
        v1::RejectedImage& rejected = totals.rejected.emplace_back();
        rejected.set_path(path.string());
        rejected.set_error(std::string(bytes.status().message()));
        continue;
      }
      request.set_data(*std::move(bytes));
      request.set_name(path.string());
    }
    // A failed write means the stream is broken; Finish says why.
    if (!writer->Write(request)) break;
  }
  writer->WritesDone();
  absl::Status status = FromGrpcStatus(writer->Finish(), context.server);
  if (!status.ok()) return status;
  totals.added += response.added();
  totals.duplicates += response.duplicates();
  totals.rejected.insert(totals.rejected.end(), response.rejected().begin(),
                         response.rejected().end());
  totals.images.insert(totals.images.end(), response.images().begin(), response.images().end());
  return absl::OkStatus();
}

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

  v1::DatasetService::Stub stub(context.channel);
  ProgressLine progress(context.err, context.err_is_tty, "images add", list.files.size());
  size_t begin = 0;
  while (begin < list.files.size()) {
    size_t end = begin;
    uintmax_t bytes = 0;
    while (end < list.files.size() && end - begin < kMaxFilesPerStream &&
           (end == begin || *by_path || bytes + list.files[end].size_bytes <= kMaxBytesPerStream)) {
      bytes += list.files[end].size_bytes;
      ++end;
    }
    absl::Status status = AddBatch(context, stub, list.files, begin, end, *by_path, totals);
    if (!status.ok()) {
      progress.Finish();
      if (begin == 0) return status;
      return absl::Status(
          status.code(), absl::StrCat(status.message(), " (the first ", begin, " of ",
                                      list.files.size(), " files were sent and stored: ",
                                      totals.added, " added, ", totals.duplicates, " duplicates)"));
    }
    begin = end;
    progress.Update(begin);
  }
  progress.Finish();
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
