#ifndef LABELLOOP_CLI_IMAGE_UPLOAD_H_
#define LABELLOOP_CLI_IMAGE_UPLOAD_H_

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "cli/command_context.h"
#include "cli/image_files.h"
#include "cli/progress_line.h"
#include "labelloop/v1/dataset.pb.h"

namespace labelloop {

// Files above this are rejected before reading: the daemon's default limit is 50 MiB and its
// largest message 64 MiB (a bigger one would break the whole stream, so leave room for the
// name), so such a file could never be accepted and reading it only costs memory. --by_path
// sends no bytes and so has no client-side limit.
inline constexpr uintmax_t kMaxUploadBytes = (64ull << 20) - (64ull << 10);

struct AddTotals {
  int added = 0;
  int duplicates = 0;
  std::vector<v1::RejectedImage> rejected;
  std::vector<v1::AddedImage> images;
};

// The name a file is sent under, which the daemon reports back as AddedImage.source (and
// RejectedImage.path): the absolute path with `by_path`, else the path as given.
std::string UploadName(const std::filesystem::path& path, bool by_path);

// Sends `files` to AddImages (their bytes, or only their paths with `by_path`) in streams of at
// most 100 files and 64 MiB, so each stream finishes well within its deadline and what was added
// stays added if a later stream fails; adds every reply to `totals` and counts sent files on
// `progress` (finished on return). A failed stream's error says how many files were stored.
absl::Status UploadImageFiles(const CommandContext& context, const std::vector<ImageFile>& files,
                              bool by_path, ProgressLine* progress, AddTotals* totals);

}  // namespace labelloop

#endif  // LABELLOOP_CLI_IMAGE_UPLOAD_H_
