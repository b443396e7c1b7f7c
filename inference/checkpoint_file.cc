#include "inference/checkpoint_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "absl/strings/str_cat.h"

namespace labelloop {
namespace {

absl::Status ErrnoError(absl::string_view what, const std::string& path, int err) {
  const std::string message = absl::StrCat(what, " ", path, ": ", std::strerror(err));
  if (err == ENOENT) return absl::NotFoundError(message);
  if (err == EACCES || err == EPERM) return absl::PermissionDeniedError(message);
  // The same codes as common/durable_file.h's FileErrorStatus (this library links only torch).
  if (err == ENOSPC || err == EDQUOT || err == EFBIG) {
    return absl::ResourceExhaustedError(
        absl::StrCat(message, " (the disk holding it is full; free space there, then retry)"));
  }
  if (err == EROFS) {
    return absl::UnavailableError(absl::StrCat(
        message, " (the file system holding it is read-only; make it writable, then retry)"));
  }
  return absl::InternalError(message);
}

std::string DirectoryOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

// Reads up to `limit` bytes from an open descriptor.
absl::StatusOr<std::string> ReadFd(int fd, const std::string& path, size_t limit,
                                   size_t expected_size) {
  std::string out;
  out.reserve(std::min(limit, expected_size));
  std::vector<char> buffer(1 << 20);
  while (out.size() < limit) {
    const size_t want = std::min(buffer.size(), limit - out.size());
    const ssize_t got = ::read(fd, buffer.data(), want);
    if (got < 0) {
      if (errno == EINTR) continue;
      return ErrnoError("cannot read checkpoint", path, errno);
    }
    if (got == 0) break;
    out.append(buffer.data(), static_cast<size_t>(got));
  }
  return out;
}

absl::StatusOr<std::string> ReadLimited(const std::string& path, size_t limit) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoError("cannot open checkpoint", path, errno);
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    const int err = errno;
    ::close(fd);
    return ErrnoError("cannot stat checkpoint", path, err);
  }
  if (S_ISDIR(st.st_mode)) {
    ::close(fd);
    return absl::InvalidArgumentError(absl::StrCat("checkpoint ", path, " is a directory"));
  }
  auto bytes = ReadFd(fd, path, limit, static_cast<size_t>(std::max<off_t>(st.st_size, 0)));
  ::close(fd);
  return bytes;
}

}  // namespace

absl::StatusOr<std::string> ReadCheckpointFile(const std::string& path) {
  return ReadLimited(path, std::string().max_size());
}

absl::StatusOr<std::string> ReadCheckpointFilePrefix(const std::string& path, size_t n) {
  return ReadLimited(path, n);
}

AtomicFileWriter::~AtomicFileWriter() { Abandon(); }

void AtomicFileWriter::Abandon() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  if (!temp_path_.empty()) ::unlink(temp_path_.c_str());
  temp_path_.clear();
}

absl::Status AtomicFileWriter::Open(const std::string& path) {
  Abandon();
  path_ = path;
  // mkstemp gives a unique name, so concurrent writers of one path never share a temp file.
  std::string pattern = absl::StrCat(path, ".tmp.XXXXXX");
  const int fd = ::mkstemp(pattern.data());
  if (fd < 0) return ErrnoError("cannot create temporary file for", path, errno);
  ::fchmod(fd, 0644);  // mkstemp makes 0600; checkpoints are meant to be shared.
  fd_ = fd;
  temp_path_ = pattern;
  return absl::OkStatus();
}

absl::Status AtomicFileWriter::Write(std::string_view bytes) {
  if (fd_ < 0) return absl::FailedPreconditionError("AtomicFileWriter::Write before Open");
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd_, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      Abandon();
      return ErrnoError("cannot write checkpoint", path_, err);
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return absl::OkStatus();
}

absl::Status AtomicFileWriter::Commit() {
  if (fd_ < 0) return absl::FailedPreconditionError("AtomicFileWriter::Commit before Open");
  if (::fsync(fd_) != 0) {
    const int err = errno;
    Abandon();
    return ErrnoError("cannot fsync checkpoint", path_, err);
  }
  if (::close(fd_) != 0) {
    const int err = errno;
    fd_ = -1;
    Abandon();
    return ErrnoError("cannot close checkpoint", path_, err);
  }
  fd_ = -1;
  if (::rename(temp_path_.c_str(), path_.c_str()) != 0) {
    const int err = errno;
    Abandon();
    return ErrnoError("cannot rename temporary file onto", path_, err);
  }
  temp_path_.clear();
  const std::string dir = DirectoryOf(path_);
  const int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd < 0) return ErrnoError("cannot open folder", dir, errno);
  const int rc = ::fsync(dir_fd);
  const int err = errno;
  ::close(dir_fd);
  if (rc != 0) return ErrnoError("cannot fsync folder", dir, err);
  return absl::OkStatus();
}

}  // namespace labelloop
