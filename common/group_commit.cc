#include "common/group_commit.h"

#include <pthread.h>

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
  const int64_t ticket = ++next_ticket_;
  work_ready_.notify_one();
  group_done_.wait(lock, [&] { return completed_ticket_ >= ticket; });
  return *result;
}

void GroupCommitter::CommitLater(Operation op) {
  std::lock_guard<std::mutex> lock(mu_);
  queue_.push_back({std::move(op), nullptr});
  ++next_ticket_;
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
  while (true) {
    std::deque<Pending> group;
    {
      std::unique_lock<std::mutex> lock(mu_);
      work_ready_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // Stopping with nothing left.
      group.swap(queue_);
    }
    absl::Status group_status = db_->ExecCached("BEGIN IMMEDIATE");
    std::vector<absl::Status> results(group.size());
    if (group_status.ok()) {
      for (size_t i = 0; i < group.size(); ++i) {
        absl::Status status = db_->ExecCached("SAVEPOINT op");
        if (status.ok()) status = group[i].op(db_);
        if (status.ok()) {
          status = db_->ExecCached("RELEASE op");
        } else {
          // Undo this operation only; the savepoint must be released after rolling back to it.
          db_->ExecCached("ROLLBACK TO op").IgnoreError();
          db_->ExecCached("RELEASE op").IgnoreError();
        }
        results[i] = status;
      }
      group_status = db_->ExecCached("COMMIT");
      if (!group_status.ok()) db_->Exec("ROLLBACK").IgnoreError();
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (size_t i = 0; i < group.size(); ++i) {
        if (group[i].result == nullptr) continue;
        *group[i].result = group_status.ok() ? results[i] : group_status;
      }
      completed_ticket_ += static_cast<int64_t>(group.size());
      ++groups_;
    }
    group_done_.notify_all();
  }
}

}  // namespace labelloop
