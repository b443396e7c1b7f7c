#include "common/group_commit.h"

#include <pthread.h>

#include <chrono>
#include <iterator>
#include <vector>

#include "absl/strings/str_cat.h"

namespace labelloop {

GroupCommitter::GroupCommitter(SqliteDb* db) : db_(db), thread_([this] { Run(); }) {}

GroupCommitter::~GroupCommitter() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  work_ready_.notify_all();
  thread_.join();
}

absl::Status GroupCommitter::Commit(Operation op) {
  auto result = std::make_shared<absl::Status>();
  std::unique_lock<std::mutex> lock(mu_);
  if (stopping_) return absl::UnavailableError("store is closing");
  queue_.push_back({std::move(op), result});
  const int64_t group = filling_group_;
  work_ready_.notify_one();
  group_done_[group % 2].wait(lock, [&] { return groups_ >= group; });
  return *result;
}

void GroupCommitter::CommitLater(Operation op) {
  std::lock_guard<std::mutex> lock(mu_);
  queue_.push_back({std::move(op), nullptr});
  work_ready_.notify_one();
}

int64_t GroupCommitter::groups() const {
  std::lock_guard<std::mutex> lock(mu_);
  return groups_;
}

int64_t GroupCommitter::operations() const {
  std::lock_guard<std::mutex> lock(mu_);
  return completed_ticket_;
}

void GroupCommitter::Run() {
  // Named, so per-thread CPU and scheduling figures (top -H, /proc/PID/task) can find it: every
  // durable write waits for this one thread.
  pthread_setname_np(pthread_self(), "group-commit");
  // CommitLater operations of a group that failed as a whole (a full disk): they run again at the
  // head of the next group, so a lease granted while the disk was full is on disk once space is
  // back (a submission checks it there). They hold no ticket: nobody waits for them.
  std::deque<Pending> carried;
  while (true) {
    std::deque<Pending> group;
    int64_t number = 0;
    {
      std::unique_lock<std::mutex> lock(mu_);
      const auto ready = [&] { return stopping_ || !queue_.empty(); };
      if (carried.empty()) {
        work_ready_.wait(lock, ready);
      } else {
        // Retry carried operations on their own now and then, not in a busy loop.
        work_ready_.wait_for(lock, std::chrono::milliseconds(200), ready);
      }
      if (queue_.empty() && (stopping_ || carried.empty())) return;  // Stopping, nothing left.
      group.swap(queue_);
      number = filling_group_++;
    }
    const size_t carried_count = carried.size();
    group.insert(group.begin(), std::make_move_iterator(carried.begin()),
                 std::make_move_iterator(carried.end()));
    carried.clear();
    absl::Status group_status = db_->ExecCached("BEGIN IMMEDIATE");
    std::vector<absl::Status> results(group.size());
    if (group_status.ok()) {
      for (size_t i = 0; i < group.size(); ++i) {
        absl::Status status = db_->ExecCached("SAVEPOINT op");
        if (status.ok()) status = group[i].op(db_);
        if (status.ok()) {
          status = db_->ExecCached("RELEASE op");
        } else if (!db_->InTransaction()) {
          // SQLite rolled back the whole group on its own (a full disk mid-group): every
          // operation of it failed with this error, and none may run outside a transaction.
          group_status = status;
          break;
        } else {
          // Undo this operation only; the savepoint must be released after rolling back to it.
          db_->ExecCached("ROLLBACK TO op").IgnoreError();
          db_->ExecCached("RELEASE op").IgnoreError();
        }
        results[i] = status;
      }
      if (group_status.ok()) group_status = db_->ExecCached("COMMIT");
      if (!group_status.ok() && db_->InTransaction()) db_->Exec("ROLLBACK").IgnoreError();
    }
    if (!group_status.ok()) {
      for (Pending& pending : group) {
        if (pending.result == nullptr) carried.push_back(std::move(pending));
      }
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (size_t i = 0; i < group.size(); ++i) {
        if (group[i].result == nullptr) continue;
        *group[i].result = group_status.ok() ? results[i] : group_status;
      }
      completed_ticket_ += static_cast<int64_t>(group.size() - carried_count);
      ++groups_;  // == number: groups finish in the order they were taken.
    }
    group_done_[number % 2].notify_all();
  }
}

}  // namespace labelloop
