#ifndef LABELLOOP_CLI_IMAGE_FILES_H_
#define LABELLOOP_CLI_IMAGE_FILES_H_

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/types/span.h"
#include "labelloop/v1/dataset.pb.h"

namespace labelloop {

struct ImageFile {
  // As the user wrote it, or the folder they wrote joined with the path below it.
  std::filesystem::path path;
  uintmax_t size_bytes = 0;
};

struct ImageFileList {
  std::vector<ImageFile> files;
  // Paths turned away before anything is sent: missing, unreadable, or over `max_bytes`.
  std::vector<v1::RejectedImage> rejected;
};

// The files named by `paths` for `images add`: a file is taken as it is; a folder is walked
// recursively in name order, taking regular files (and links to them) and leaving out hidden
// entries (".git", ".DS_Store"), which are never images someone meant to add. Whether a file
// is an image is left to the daemon, which decodes it anyway. Files over `max_bytes` are
// rejected here so the client never reads a huge file into memory.
ImageFileList CollectImageFiles(absl::Span<const std::string> paths, uintmax_t max_bytes);

}  // namespace labelloop

#endif  // LABELLOOP_CLI_IMAGE_FILES_H_
