#include "tests/testing/store_integrity.h"

#include <sqlite3.h>

#include "absl/strings/str_cat.h"

namespace labelloop::testing {

std::string SqliteIntegrityCheck(const std::filesystem::path& db_path) {
  sqlite3* db = nullptr;
  std::string result;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
    result = absl::StrCat("open failed: ", sqlite3_errmsg(db));
  } else {
    sqlite3_stmt* statement = nullptr;
    sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &statement, nullptr);
    while (sqlite3_step(statement) == SQLITE_ROW) {
      absl::StrAppend(&result, result.empty() ? "" : "; ",
                      reinterpret_cast<const char*>(sqlite3_column_text(statement, 0)));
    }
    sqlite3_finalize(statement);
  }
  sqlite3_close(db);
  return result;
}

}  // namespace labelloop::testing
