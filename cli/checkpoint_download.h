#ifndef LABELLOOP_CLI_CHECKPOINT_DOWNLOAD_H_
#define LABELLOOP_CLI_CHECKPOINT_DOWNLOAD_H_

#include <cstdint>
#include <filesystem>
#include <string>

#include "absl/status/statusor.h"
#include "cli/command_context.h"

namespace labelloop {

struct DownloadedCheckpoint {
  std::string version;
  std::string file_name;  // the daemon's name for it, e.g. "weights.safetensors"
  int64_t bytes = 0;
  std::string sha256;  // lowercase hex, checked
};

// `models pull`: streams DownloadCheckpoint(version) into `path`.tmp while hashing it, and
// renames that onto `path` only when the size and SHA-256 announced in the first chunk match
// what arrived. On any error (RPC, disk, a gap in the offsets, a size or checksum mismatch)
// the temporary file is removed and `path` is left as it was.
absl::StatusOr<DownloadedCheckpoint> DownloadCheckpointToFile(const CommandContext& context,
                                                              const std::string& version,
                                                              const std::filesystem::path& path);

}  // namespace labelloop

#endif  // LABELLOOP_CLI_CHECKPOINT_DOWNLOAD_H_
