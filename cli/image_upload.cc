#include "cli/image_upload.h"

#include <fstream>

#include "absl/strings/str_cat.h"
#include "cli/rpc_status.h"
#include "labelloop/v1/dataset.grpc.pb.h"

namespace labelloop {
namespace {

// One AddImages stream carries at most this much, so each stream finishes well within its
// deadline (the daemon syncs every item to disk), what was added stays added if a later stream
// fails, and progress counts stored files.
constexpr size_t kMaxFilesPerStream = 100;
constexpr uintmax_t kMaxBytesPerStream = 64ull << 20;
// Deadline allowance for the bytes themselves, on top of --timeout: a slow link's worth.
constexpr double kUploadBytesPerSecond = 1 << 20;

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
      request.set_path(UploadName(path, true));
    } else {
      absl::StatusOr<std::string> bytes = ReadFile(path, kMaxUploadBytes);
      if (!bytes.ok()) {
        v1::RejectedImage& rejected = totals.rejected.emplace_back();
        rejected.set_path(path.string());
        rejected.set_error(std::string(bytes.status().message()));
        continue;
      }
      request.set_data(*std::move(bytes));
      request.set_name(UploadName(path, false));
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

}  // namespace

std::string UploadName(const std::filesystem::path& path, bool by_path) {
  if (!by_path) return path.string();
  std::error_code error;
  return std::filesystem::absolute(path, error).string();
}

absl::Status UploadImageFiles(const CommandContext& context, const std::vector<ImageFile>& files,
                              bool by_path, ProgressLine* progress, AddTotals* totals) {
  v1::DatasetService::Stub stub(context.channel);
  size_t begin = 0;
  while (begin < files.size()) {
    size_t end = begin;
    uintmax_t bytes = 0;
    while (end < files.size() && end - begin < kMaxFilesPerStream &&
           (end == begin || by_path || bytes + files[end].size_bytes <= kMaxBytesPerStream)) {
      bytes += files[end].size_bytes;
      ++end;
    }
    absl::Status status = AddBatch(context, stub, files, begin, end, by_path, *totals);
    if (!status.ok()) {
      progress->Finish();
      if (begin == 0) return status;
      return absl::Status(
          status.code(), absl::StrCat(status.message(), " (the first ", begin, " of ", files.size(),
                                      " files were sent and stored: ", totals->added, " added, ",
                                      totals->duplicates, " duplicates)"));
    }
    begin = end;
    progress->Update(begin);
  }
  progress->Finish();
  return absl::OkStatus();
}

}  // namespace labelloop
