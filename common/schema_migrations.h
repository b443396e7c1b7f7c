#ifndef LABELLOOP_COMMON_SCHEMA_MIGRATIONS_H_
#define LABELLOOP_COMMON_SCHEMA_MIGRATIONS_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "common/sqlite_db.h"

namespace labelloop {

// One numbered schema change. Migrations are append-only: a released one is never edited,
// a change to the schema is a new entry with the next number.
struct SchemaMigration {
  int version;
  std::string description;
  std::string sql;
};

// The store's migrations, in order.
const std::vector<SchemaMigration>& StoreMigrations();

// Applies every migration newer than the database's recorded version, each in its own
// transaction together with its record in `schema_migrations`. Refuses a database written by a
// newer labelloop (a version above the newest known one).
absl::Status ApplyMigrations(SqliteDb* db, const std::vector<SchemaMigration>& migrations);

// The highest applied migration version (0 for a fresh database).
absl::StatusOr<int> SchemaVersion(SqliteDb* db);

}  // namespace labelloop

#endif  // LABELLOOP_COMMON_SCHEMA_MIGRATIONS_H_
