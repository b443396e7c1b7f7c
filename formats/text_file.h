#ifndef LABELLOOP_FORMATS_TEXT_FILE_H_
#define LABELLOOP_FORMATS_TEXT_FILE_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace labelloop {

// The whole file; NOT_FOUND naming the path when it cannot be opened. Annotation files are
// refused above `max_bytes` (1 GiB by default) rather than exhausting memory.
absl::StatusOr<std::string> ReadTextFile(const std::string& path,
                                         size_t max_bytes = size_t{1} << 30);
// Writes `text` to `path` (creating its folder), replacing the file.
absl::Status WriteTextFile(const std::string& path, const std::string& text);

}  // namespace labelloop

#endif  // LABELLOOP_FORMATS_TEXT_FILE_H_
