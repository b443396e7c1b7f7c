#ifndef LABELLOOP_COMMON_WAL_CHECKPOINTER_H_
#define LABELLOOP_COMMON_WAL_CHECKPOINTER_H_

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/sqlite_db.h"

namespace labelloop {

struct WalCheckpointerOptions {
  // How often the WAL is copied back into the database file.
  int interval_ms = 200;
  int busy_timeout_ms = 5000;
};

// Copies the write-ahead log back into the database file on its own thread and connection, so
// that the group committer's COMMIT (which every waiting annotator waits for) rarely runs a
// checkpoint with its extra writes and fsyncs. PASSIVE checkpoints never block readers or the
// writer. They do not bound the log on their own: SQLite restarts the log from its start only
// when a writer begins while the log is copied entirely, which continuous group commits never
// see. So the writer keeps a (large) wal_autocheckpoint; when it fires, this thread has copied
// nearly everything already and the writer's checkpoint is short.
class WalCheckpointer {
 public:
  // Opens a connection to the database at `path` (already in WAL mode) and starts the thread.
  static absl::StatusOr<std::unique_ptr<WalCheckpointer>> Start(const std::string& path,
                                                                WalCheckpointerOptions options);
  // Runs a last checkpoint, then stops.
  ~WalCheckpointer();
  WalCheckpointer(const WalCheckpointer&) = delete;
  WalCheckpointer& operator=(const WalCheckpointer&) = delete;

  // One PASSIVE checkpoint now, on the caller's thread (serialised with the background one).
  absl::Status CheckpointNow();
  // Checkpoints run so far and WAL frames copied by them, for tests and benchmarks.
  int64_t checkpoints() const;
  int64_t frames_copied() const;
  // Background checkpoints that failed.
  int64_t failures() const;

 private:
  WalCheckpointer(std::unique_ptr<SqliteDb> db, WalCheckpointerOptions options);
  void Run();

  const WalCheckpointerOptions options_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  int64_t checkpoints_ = 0;
  int64_t frames_copied_ = 0;
  int64_t failures_ = 0;
  std::mutex db_mu_;  // Serialises use of db_.
  std::unique_ptr<SqliteDb> db_;
  std::thread thread_;
};

}  // namespace labelloop

#endif  // LABELLOOP_COMMON_WAL_CHECKPOINTER_H_
