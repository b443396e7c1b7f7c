#include "common/wal_checkpointer.h"

#include <pthread.h>

#include <chrono>

namespace labelloop {

absl::StatusOr<std::unique_ptr<WalCheckpointer>> WalCheckpointer::Start(
    const std::string& path, WalCheckpointerOptions options) {
  absl::StatusOr<std::unique_ptr<SqliteDb>> db = SqliteDb::Open(path, options.busy_timeout_ms);
  if (!db.ok()) return db.status();
  return std::unique_ptr<WalCheckpointer>(new WalCheckpointer(*std::move(db), options));
}

WalCheckpointer::WalCheckpointer(std::unique_ptr<SqliteDb> db, WalCheckpointerOptions options)
    : options_(options), db_(std::move(db)), thread_([this] { Run(); }) {}

WalCheckpointer::~WalCheckpointer() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
  CheckpointNow().IgnoreError();
}

absl::Status WalCheckpointer::CheckpointNow() {
  std::lock_guard<std::mutex> db_lock(db_mu_);
  // Returns (busy, frames in the log, frames copied back).
  absl::StatusOr<SqliteStatement> checkpoint = db_->PrepareCached("PRAGMA wal_checkpoint(PASSIVE)");
  if (!checkpoint.ok()) return checkpoint.status();
  absl::StatusOr<bool> row = checkpoint->Step();
  if (!row.ok()) return row.status();
  const int64_t copied = *row ? checkpoint->ColumnInt(2) : 0;
  std::lock_guard<std::mutex> lock(mu_);
  ++checkpoints_;
  if (copied > 0) frames_copied_ += copied;
  return absl::OkStatus();
}

int64_t WalCheckpointer::checkpoints() const {
  std::lock_guard<std::mutex> lock(mu_);
  return checkpoints_;
}

int64_t WalCheckpointer::frames_copied() const {
  std::lock_guard<std::mutex> lock(mu_);
  return frames_copied_;
}

int64_t WalCheckpointer::failures() const {
  std::lock_guard<std::mutex> lock(mu_);
  return failures_;
}

void WalCheckpointer::Run() {
  pthread_setname_np(pthread_self(), "wal-checkpoint");
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    wake_.wait_for(lock, std::chrono::milliseconds(options_.interval_ms),
                   [&] { return stopping_; });
    if (stopping_) break;
    lock.unlock();
    // A failed checkpoint (the disk full, say) leaves the log longer until the next one; the
    // writes themselves are unaffected.
    absl::Status status = CheckpointNow();
    lock.lock();
    if (!status.ok()) ++failures_;
  }
}

}  // namespace labelloop
