#include "common/durable_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "absl/strings/str_cat.h"

namespace labelloop {
absl::Status FileErrorStatus(absl::string_view what, const std::string& path, int err) {
  std::string message = absl::StrCat(what, " ", path, ": ", std::strerror(err));
  switch (err) {
    case ENOENT:
      return absl::NotFoundError(message);
    case EACCES:
    case EPERM:
      return absl::PermissionDeniedError(message);
    case EROFS:
      return absl::UnavailableError(absl::StrCat(
          message, " (the file system holding it is read-only; make it writable, then retry)"));
    case ENOSPC:
    case EDQUOT:
    case EFBIG:
      return absl::ResourceExhaustedError(
          absl::StrCat(message, " (the disk holding it is full; free space there, then retry)"));
    default:
      return absl::InternalError(message);
  }
}

absl::Status SyncDirectory(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return FileErrorStatus("cannot open folder", dir, errno);
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) return FileErrorStatus("cannot fsync folder", dir, err);
  return absl::OkStatus();
}

absl::Status CheckFolderWritable(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return FileErrorStatus("cannot create folder", dir, ec.value());
  // A few KB, so a disk with no room at all fails here rather than on the first write.
  const std::string probe = absl::StrCat(dir, "/.write-probe.", ::getpid());
  absl::Status status = WriteFileDurably(probe, std::string(4096, '\0'));
  ::unlink(probe.c_str());
  if (!status.ok()) {
    return absl::Status(status.code(),
                        absl::StrCat("folder ", dir, " is not writable: ", status.message()));
  }
  return absl::OkStatus();
}

absl::Status WriteFileDurably(const std::string& path, absl::string_view contents) {
  std::filesystem::path target(path);
  std::string dir = target.parent_path().empty() ? "." : target.parent_path().string();
  std::string temp = absl::StrCat(path, ".tmp.", ::getpid());
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return FileErrorStatus("cannot create", temp, errno);
  size_t written = 0;
  while (written < contents.size()) {
    ssize_t n = ::write(fd, contents.data() + written, contents.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      ::unlink(temp.c_str());
      return FileErrorStatus("cannot write", temp, err);
    }
    written += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) {
    int err = errno;
    ::close(fd);
    ::unlink(temp.c_str());
    return FileErrorStatus("cannot fsync", temp, err);
  }
  // Some file systems (NFS) report a full disk only when the file is closed.
  if (::close(fd) != 0) {
    int err = errno;
    ::unlink(temp.c_str());
    return FileErrorStatus("cannot close", temp, err);
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(temp.c_str());
    return FileErrorStatus("cannot rename into", path, err);
  }
  return SyncDirectory(dir);
}

absl::StatusOr<std::string> ReadFileLimited(const std::string& path, int64_t max_bytes) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return FileErrorStatus("cannot open", path, errno);
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    int err = errno;
    ::close(fd);
    return FileErrorStatus("cannot stat", path, err);
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return absl::InvalidArgumentError(absl::StrCat(path, " is not a regular file"));
  }
  if (st.st_size > max_bytes) {
    ::close(fd);
    return absl::InvalidArgumentError(absl::StrCat(
        "file is ", st.st_size, " bytes, larger than the limit of ", max_bytes, " bytes"));
  }
  std::string data(static_cast<size_t>(st.st_size), '\0');
  size_t read_total = 0;
  while (read_total < data.size()) {
    ssize_t n = ::read(fd, data.data() + read_total, data.size() - read_total);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int err = n < 0 ? errno : EIO;
      ::close(fd);
      return FileErrorStatus("cannot read", path, err);
    }
    read_total += static_cast<size_t>(n);
  }
  ::close(fd);
  return data;
}

}  // namespace labelloop
