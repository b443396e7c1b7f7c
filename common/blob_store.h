#ifndef LABELLOOP_COMMON_BLOB_STORE_H_
#define LABELLOOP_COMMON_BLOB_STORE_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace labelloop {

// A content-addressed folder of immutable byte blobs, each stored under its sha256 in a
// two-level fan-out (ab/abcdef...) so no single folder grows huge.
class BlobStore {
 public:
  // Creates `root` if needed.
  static absl::StatusOr<BlobStore> Open(std::string root);

  // Stores `data` under `sha256` (the caller computed it) durably. Storing an existing blob is a
  // no-op, so retries after a crash are safe. A full disk fails with RESOURCE_EXHAUSTED (a
  // read-only one with UNAVAILABLE), naming the path, and leaves no partial file behind.
  absl::Status Put(absl::string_view sha256, absl::string_view data) const;
  absl::StatusOr<std::string> Get(absl::string_view sha256, int64_t max_bytes) const;
  // Removes a blob; a missing one is not an error.
  absl::Status Remove(absl::string_view sha256) const;
  std::string PathOf(absl::string_view sha256) const;

 private:
  explicit BlobStore(std::string root) : root_(std::move(root)) {}
  std::string root_;
};

}  // namespace labelloop

#endif  // LABELLOOP_COMMON_BLOB_STORE_H_
