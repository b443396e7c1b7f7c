#include "cli/image_files.h"

#include <algorithm>
#include <system_error>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace labelloop {
namespace {

namespace fs = std::filesystem;

void Reject(const fs::path& path, std::string error, ImageFileList& list) {
  v1::RejectedImage& rejected = list.rejected.emplace_back();
  rejected.set_path(path.string());
  rejected.set_error(std::move(error));
}

void AddFile(const fs::path& path, uintmax_t max_bytes, ImageFileList& list) {
  std::error_code error;
  const uintmax_t size = fs::file_size(path, error);
  if (error) {
    Reject(path, absl::StrCat("cannot read: ", error.message()), list);
    return;
  }
  if (size > max_bytes) {
    Reject(path,
           absl::StrCat("file is ", size, " bytes, over the client's limit of ", max_bytes,
                        " bytes (add it with --by_path if the daemon can read it)"),
           list);
    return;
  }
  list.files.push_back({path, size});
}

void AddFolder(const fs::path& folder, uintmax_t max_bytes, ImageFileList& list) {
  std::error_code error;
  std::vector<fs::path> found;
  fs::recursive_directory_iterator it(folder, fs::directory_options::skip_permission_denied, error);
  for (; !error && it != fs::recursive_directory_iterator(); it.increment(error)) {
    const fs::path& path = it->path();
    if (absl::StartsWith(path.filename().string(), ".")) {
      if (it->is_directory()) it.disable_recursion_pending();
      continue;
    }
    std::error_code status_error;
    if (fs::is_regular_file(path, status_error)) found.push_back(path);
  }
  if (error) {
    Reject(folder, absl::StrCat("cannot list folder: ", error.message()), list);
  }
  std::sort(found.begin(), found.end());
  for (const fs::path& path : found) AddFile(path, max_bytes, list);
}

}  // namespace

ImageFileList CollectImageFiles(absl::Span<const std::string> paths, uintmax_t max_bytes) {
  ImageFileList list;
  for (const std::string& text : paths) {
    const fs::path path(text);
    std::error_code error;
    const fs::file_status status = fs::status(path, error);
    if (error || !fs::exists(status)) {
      Reject(path, "no such file or folder", list);
    } else if (fs::is_directory(status)) {
      AddFolder(path, max_bytes, list);
    } else if (fs::is_regular_file(status)) {
      AddFile(path, max_bytes, list);
    } else {
      Reject(path, "not a regular file or folder", list);
    }
  }
  return list;
}

}  // namespace labelloop
