#ifndef LABELLOOP_COMMON_GROUP_COMMIT_H_
#define LABELLOOP_COMMON_GROUP_COMMIT_H_

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "absl/status/status.h"
#include "common/sqlite_db.h"

namespace labelloop {

// Runs write operations from many threads in shared transactions: whatever is queued while one
// transaction commits goes into the next, so one fsync makes a whole group durable. This is
// what lets many annotators submit thousands of labels a second on a disk whose fsync takes
// milliseconds, while every caller still returns only once its own write is on disk.
//
// Each operation runs inside its own SAVEPOINT, so a failing one rolls back alone and reports
// its own error; the others of the group commit.
class GroupCommitter {
 public:
  using Operation = std::function<absl::Status(SqliteDb*)>;

  // `db` is used only by the committer's thread from now on.
  explicit GroupCommitter(SqliteDb* db);
  // Commits what is queued, then stops.
  ~GroupCommitter();
  GroupCommitter(const GroupCommitter&) = delete;
  GroupCommitter& operator=(const GroupCommitter&) = delete;

  // Runs `op` in the next group and waits until that group is durable (or failed).
  absl::Status Commit(Operation op);
  // Queues `op` for the next group and returns at once. For state whose loss in a crash is
  // harmless (leases): it becomes durable with the next group that commits (a group that fails
  // as a whole, on a full disk, carries it to the next).
  void CommitLater(Operation op);

  // Groups committed so far and operations in them, for benchmarks.
  int64_t groups() const;
  int64_t operations() const;

 private:
  struct Pending {
    Operation op;
    // Null for CommitLater.
    std::shared_ptr<absl::Status> result;
  };
  void Run();

  SqliteDb* const db_;
  mutable std::mutex mu_;
  std::condition_variable work_ready_;
  // Waiters of group g wait on group_done_[g % 2]: a finished group wakes only its own callers,
  // not those already queued for the next one, which would wake only to sleep again, each a
  // runnable thread that a GetNextBatch on the same core queues behind.
  std::condition_variable group_done_[2];
  std::deque<Pending> queue_;
  int64_t filling_group_ = 1;     // Number of the group queue_ becomes.
  int64_t completed_ticket_ = 0;  // Operations whose group has finished.
  // Groups finished (durable or failed), in order: group g is done once groups_ >= g.
  int64_t groups_ = 0;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace labelloop

#endif  // LABELLOOP_COMMON_GROUP_COMMIT_H_
