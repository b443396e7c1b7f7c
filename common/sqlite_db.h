#ifndef LABELLOOP_COMMON_SQLITE_DB_H_
#define LABELLOOP_COMMON_SQLITE_DB_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

struct sqlite3;
struct sqlite3_stmt;

namespace labelloop {

// A prepared statement. Bind parameters are 1-based, columns 0-based, as in SQLite.
class SqliteStatement {
 public:
  SqliteStatement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  // A borrowed statement (from SqliteDb::PrepareCached): destruction resets it, so it holds no
  // read snapshot or bindings afterwards, instead of finalizing it.
  SqliteStatement(sqlite3* db, sqlite3_stmt* stmt, bool owned)
      : db_(db), stmt_(stmt), owned_(owned) {}
  SqliteStatement(SqliteStatement&& other) noexcept;
  SqliteStatement& operator=(SqliteStatement&&) = delete;
  SqliteStatement(const SqliteStatement&) = delete;
  ~SqliteStatement();

  SqliteStatement& Bind(int index, int64_t value);
  SqliteStatement& Bind(int index, double value);
  SqliteStatement& Bind(int index, absl::string_view value);
  SqliteStatement& BindBlob(int index, absl::string_view value);
  SqliteStatement& BindNull(int index);

  // Advances to the next row: true when a row is available, false when done.
  absl::StatusOr<bool> Step();
  // Runs a statement that returns no rows.
  absl::Status Run();
  // Makes the statement reusable with new bindings.
  void Reset();

  int64_t ColumnInt(int index) const;
  double ColumnDouble(int index) const;
  std::string ColumnText(int index) const;
  std::string ColumnBlob(int index) const;
  bool ColumnIsNull(int index) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
  bool owned_ = true;
};

// One SQLite connection. Not thread-safe: callers serialise access (the Store holds a mutex).
class SqliteDb {
 public:
  // Opens (creating if needed) the database file in WAL mode with synchronous=FULL, so that a
  // committed transaction has been fsync'd to the WAL before Commit returns.
  static absl::StatusOr<std::unique_ptr<SqliteDb>> Open(const std::string& path,
                                                        int busy_timeout_ms);
  ~SqliteDb();
  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;

  absl::Status Exec(absl::string_view sql);
  absl::StatusOr<SqliteStatement> Prepare(absl::string_view sql);
  // Like Prepare, but the compiled statement is kept by the connection and reused by the next
  // call with the same SQL (hot paths: parsing costs more than running a point query). The
  // returned statement resets itself when it goes out of scope. At most one statement per SQL
  // text may be in use at a time on a connection (the connection is single-threaded anyway).
  absl::StatusOr<SqliteStatement> PrepareCached(const std::string& sql);
  // Exec of one statement through PrepareCached (SAVEPOINT/RELEASE around every group-commit
  // operation).
  absl::Status ExecCached(const std::string& sql);
  // False after SQLite rolled back the whole open transaction on its own (it does on some
  // SQLITE_FULL and SQLITE_IOERR errors), so a caller knows its savepoints are gone.
  bool InTransaction() const;
  int64_t LastInsertRowId() const;
  int Changes() const;
  const std::string& path() const { return path_; }

 private:
  SqliteDb(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  sqlite3* db_;
  std::string path_;
  // Finalized in the destructor, before the connection closes.
  absl::flat_hash_map<std::string, sqlite3_stmt*> cached_;
};

// Maps a SQLite result code to a Status carrying SQLite's message.
absl::Status SqliteError(sqlite3* db, int code, absl::string_view what);

// A transaction that rolls back unless committed. BEGIN IMMEDIATE takes the write lock at once so
// that a transaction never fails half-way for lock upgrades.
class SqliteTransaction {
 public:
  static absl::StatusOr<SqliteTransaction> Begin(SqliteDb* db);
  SqliteTransaction(SqliteTransaction&& other) noexcept : db_(other.db_) { other.db_ = nullptr; }
  SqliteTransaction& operator=(SqliteTransaction&&) = delete;
  ~SqliteTransaction();
  absl::Status Commit();

 private:
  explicit SqliteTransaction(SqliteDb* db) : db_(db) {}
  SqliteDb* db_;
};

}  // namespace labelloop

#endif  // LABELLOOP_COMMON_SQLITE_DB_H_
