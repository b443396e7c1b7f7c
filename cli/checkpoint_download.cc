#include "cli/checkpoint_download.h"

#include <fstream>
#include <memory>
#include <system_error>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "cli/rpc_status.h"
#include "cli/sha256_stream.h"
#include "labelloop/v1/model.grpc.pb.h"

namespace labelloop {
namespace {

namespace fs = std::filesystem;

// A checkpoint can be hundreds of MB (the torchvision-sized detector is ~130 MB), so the stream
// gets this on top of --timeout, which is sized for ordinary calls.
constexpr absl::Duration kTransferAllowance = absl::Minutes(30);

// Ends a stream early without leaving the call hanging: cancel, drain, collect the status.
void Abandon(grpc::ClientContext& rpc, grpc::ClientReader<v1::CheckpointChunk>& reader) {
  rpc.TryCancel();
  v1::CheckpointChunk ignored;
  while (reader.Read(&ignored)) {
  }
  reader.Finish().ok();
}

// Streams the checkpoint into `out`; fills everything but what the caller checks afterwards.
absl::StatusOr<DownloadedCheckpoint> Receive(const CommandContext& context,
                                             const std::string& version, const fs::path& tmp_path,
                                             std::ofstream& out) {
  v1::ModelService::Stub stub(context.channel);
  v1::DownloadCheckpointRequest request;
  request.set_version(version);
  auto rpc = context.NewRpc(context.timeout + kTransferAllowance);
  std::unique_ptr<grpc::ClientReader<v1::CheckpointChunk>> reader =
      stub.DownloadCheckpoint(rpc.get(), request);

  DownloadedCheckpoint downloaded;
  std::string expected_sha256;
  int64_t expected_bytes = -1;
  Sha256Stream hash;
  v1::CheckpointChunk chunk;
  bool first = true;
  while (reader->Read(&chunk)) {
    if (first) {
      first = false;
      downloaded.version = chunk.version();
      downloaded.file_name = chunk.file_name();
      expected_bytes = chunk.total_bytes();
      expected_sha256 = absl::AsciiStrToLower(chunk.sha256());
      if (expected_sha256.empty()) {
        Abandon(*rpc, *reader);
        return absl::DataLossError(
            "the daemon sent no sha256 with the checkpoint, so it cannot be checked");
      }
    }
    if (chunk.offset() != downloaded.bytes) {
      Abandon(*rpc, *reader);
      return absl::DataLossError(absl::StrCat("checkpoint chunk at offset ", chunk.offset(),
                                              " arrived after ", downloaded.bytes,
                                              " bytes: the stream has a gap or an overlap"));
    }
    out.write(chunk.data().data(), static_cast<std::streamsize>(chunk.data().size()));
    if (!out) {
      Abandon(*rpc, *reader);
      return absl::InternalError(absl::StrCat("cannot write ", tmp_path.string(),
                                              " (disk full?) after ", downloaded.bytes, " bytes"));
    }
    hash.Update(chunk.data());
    downloaded.bytes += static_cast<int64_t>(chunk.data().size());
  }
  absl::Status status = FromGrpcStatus(reader->Finish(), context.server);
  if (!status.ok()) return status;
  if (first) return absl::DataLossError("the daemon sent no checkpoint data at all");
  out.close();
  if (!out) return absl::InternalError(absl::StrCat("cannot finish writing ", tmp_path.string()));

  downloaded.sha256 = hash.FinishHex();
  if (downloaded.bytes != expected_bytes) {
    return absl::DataLossError(absl::StrCat("checkpoint ", downloaded.version,
                                            " is incomplete: got ", downloaded.bytes,
                                            " bytes, the daemon announced ", expected_bytes));
  }
  if (downloaded.sha256 != expected_sha256) {
    return absl::DataLossError(absl::StrCat("checkpoint ", downloaded.version,
                                            " is corrupt: its sha256 is ", downloaded.sha256,
                                            ", the daemon announced ", expected_sha256));
  }
  return downloaded;
}

}  // namespace

absl::StatusOr<DownloadedCheckpoint> DownloadCheckpointToFile(const CommandContext& context,
                                                              const std::string& version,
                                                              const fs::path& path) {
  fs::path tmp_path = path;
  tmp_path += ".tmp";
  std::ofstream out(tmp_path, std::ios::binary | std::ios::trunc);
  if (!out) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot create ", tmp_path.string(), ": ",
                     std::error_code(errno, std::generic_category()).message()));
  }
  absl::StatusOr<DownloadedCheckpoint> downloaded = Receive(context, version, tmp_path, out);
  std::error_code error;
  if (!downloaded.ok()) {
    out.close();
    fs::remove(tmp_path, error);
    return absl::Status(
        downloaded.status().code(),
        absl::StrCat(downloaded.status().message(), "; nothing written to ", path.string()));
  }
  fs::rename(tmp_path, path, error);
  if (error) {
    std::error_code ignored;
    fs::remove(tmp_path, ignored);
    return absl::InternalError(absl::StrCat("cannot rename ", tmp_path.string(), " to ",
                                            path.string(), ": ", error.message()));
  }
  return downloaded;
}

}  // namespace labelloop
