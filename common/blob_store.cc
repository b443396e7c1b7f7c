#include "common/blob_store.h"

#include <filesystem>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "common/durable_file.h"

namespace labelloop {

absl::StatusOr<BlobStore> BlobStore::Open(std::string root) {
  std::error_code ec;
  std::filesystem::create_directories(root, ec);
  if (ec) return FileErrorStatus("cannot create blob folder", root, ec.value());
  return BlobStore(std::move(root));
}

std::string BlobStore::PathOf(absl::string_view sha256) const {
  return absl::StrCat(root_, "/", sha256.substr(0, 2), "/", sha256);
}

absl::Status BlobStore::Put(absl::string_view sha256, absl::string_view data) const {
  std::string path = PathOf(sha256);
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) return absl::OkStatus();
  std::string dir = absl::StrCat(root_, "/", sha256.substr(0, 2));
  bool created = std::filesystem::create_directories(dir, ec);
  if (ec) return FileErrorStatus("cannot create blob folder", dir, ec.value());
  if (created) {
    absl::Status status = SyncDirectory(root_);
    if (!status.ok()) return status;
  }
  return WriteFileDurably(path, data);
}

absl::StatusOr<std::string> BlobStore::Get(absl::string_view sha256, int64_t max_bytes) const {
  return ReadFileLimited(PathOf(sha256), max_bytes);
}

absl::Status BlobStore::Remove(absl::string_view sha256) const {
  std::error_code ec;
  std::filesystem::remove(PathOf(sha256), ec);
  if (ec) return FileErrorStatus("cannot remove blob", PathOf(sha256), ec.value());
  return absl::OkStatus();
}

}  // namespace labelloop
