#ifndef LABELLOOP_TESTS_TESTING_STORE_INTEGRITY_H_
#define LABELLOOP_TESTS_TESTING_STORE_INTEGRITY_H_

#include <filesystem>
#include <string>

namespace labelloop::testing {

// `PRAGMA integrity_check` on a store file as it lies on disk (with its WAL, if any), through a
// connection of its own: "ok" for a sound database, SQLite's findings (or why it would not open)
// otherwise. Run it while no daemon has the store open.
std::string SqliteIntegrityCheck(const std::filesystem::path& db_path);

}  // namespace labelloop::testing

#endif  // LABELLOOP_TESTS_TESTING_STORE_INTEGRITY_H_
