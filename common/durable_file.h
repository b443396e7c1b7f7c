#ifndef LABELLOOP_COMMON_DURABLE_FILE_H_
#define LABELLOOP_COMMON_DURABLE_FILE_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace labelloop {

// Writes `contents` to `path` so that after an OK return the file is complete and on disk, and a
// crash at any moment leaves either the old file or the new one, never a torn one: write to a
// temporary file in the same folder, fsync it, rename it over `path`, fsync the folder.
absl::Status WriteFileDurably(const std::string& path, absl::string_view contents);

// Reads a whole file, refusing files larger than `max_bytes` without reading them.
absl::StatusOr<std::string> ReadFileLimited(const std::string& path, int64_t max_bytes);

// fsyncs a folder so that renames and creations inside it are durable.
absl::Status SyncDirectory(const std::string& dir);

}  // namespace labelloop

#endif  // LABELLOOP_COMMON_DURABLE_FILE_H_
