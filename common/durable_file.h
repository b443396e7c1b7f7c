#ifndef LABELLOOP_COMMON_DURABLE_FILE_H_
#define LABELLOOP_COMMON_DURABLE_FILE_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace labelloop {

// The Status for a failed file operation `what` ("cannot write") on `path` with errno `err`,
// with a code a client can act on and a message that says where:
//   ENOSPC, EDQUOT, EFBIG -> RESOURCE_EXHAUSTED ("the disk holding PATH is full": free space and
//     retry; EFBIG is a per-file size limit such as RLIMIT_FSIZE, which behaves the same);
//   EROFS -> UNAVAILABLE (the file system went read-only: an operator must fix it, then retry);
//   EACCES, EPERM -> PERMISSION_DENIED; ENOENT -> NOT_FOUND; anything else -> INTERNAL.
absl::Status FileErrorStatus(absl::string_view what, const std::string& path, int err);

// Fails, naming the folder, unless a file can be created, written, fsync'd and removed in
// `dir` (created if missing). Run at start-up so a read-only or full data folder stops the
// daemon with a clear message instead of failing the first client's write.
absl::Status CheckFolderWritable(const std::string& dir);

// Writes `contents` to `path` so that after an OK return the file is complete and on disk, and a
// crash at any moment leaves either the old file or the new one, never a torn one: write to a
// temporary file in the same folder, fsync it, rename it over `path`, fsync the folder. On any
// failure (a full disk included) the temporary file is removed again.
absl::Status WriteFileDurably(const std::string& path, absl::string_view contents);

// Reads a whole file, refusing files larger than `max_bytes` without reading them.
absl::StatusOr<std::string> ReadFileLimited(const std::string& path, int64_t max_bytes);

// fsyncs a folder so that renames and creations inside it are durable.
absl::Status SyncDirectory(const std::string& dir);

}  // namespace labelloop

#endif  // LABELLOOP_COMMON_DURABLE_FILE_H_
