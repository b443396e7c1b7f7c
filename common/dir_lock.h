#ifndef LABELLOOP_COMMON_DIR_LOCK_H_
#define LABELLOOP_COMMON_DIR_LOCK_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace labelloop {

// An exclusive lock on a data folder (flock on DIR/LOCK), so two daemons never write the same
// store. The kernel drops it when the process dies, even by SIGKILL, so no stale lock survives.
class DirLock {
 public:
  static absl::StatusOr<std::unique_ptr<DirLock>> Acquire(const std::string& dir);
  ~DirLock();
  DirLock(const DirLock&) = delete;
  DirLock& operator=(const DirLock&) = delete;

 private:
  explicit DirLock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace labelloop

#endif  // LABELLOOP_COMMON_DIR_LOCK_H_
