#include "common/sqlite_db.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/common/temp_dir.h"

namespace labelloop {
namespace {

int64_t CountCached(SqliteDb* db) {
  auto count = db->PrepareCached("SELECT COUNT(*) FROM t");
  EXPECT_TRUE(count.ok());
  EXPECT_TRUE(*count->Step());
  return count->ColumnInt(0);
}

TEST(SqliteDbTest, CachedStatementIsReusedWithFreshBindings) {
  TempDir dir;
  auto db = SqliteDb::Open(dir.path() + "/db", 1000);
  ASSERT_TRUE(db.ok()) << db.status();
  ASSERT_TRUE((*db)->Exec("CREATE TABLE t(x INTEGER)").ok());
  for (int64_t x : {3, 5, 7}) {
    ASSERT_TRUE((*db)->ExecCached("BEGIN IMMEDIATE").ok());
    auto insert = (*db)->PrepareCached("INSERT INTO t(x) VALUES(?)");
    ASSERT_TRUE(insert.ok());
    ASSERT_TRUE(insert->Bind(1, x).Run().ok());
    ASSERT_TRUE((*db)->ExecCached("COMMIT").ok());
  }
  EXPECT_EQ(CountCached(db->get()), 3);
  {
    auto echo = (*db)->PrepareCached("SELECT ?");
    ASSERT_TRUE(echo.ok());
    echo->Bind(1, static_cast<int64_t>(42));
    ASSERT_TRUE(*echo->Step());
    EXPECT_EQ(echo->ColumnInt(0), 42);
  }
  // The next user of the same statement does not see the previous bindings.
  auto echo = (*db)->PrepareCached("SELECT ?");
  ASSERT_TRUE(echo.ok());
  ASSERT_TRUE(*echo->Step());
  EXPECT_TRUE(echo->ColumnIsNull(0));
}

TEST(SqliteDbTest, CachedStatementLeftMidResultReleasesItsSnapshot) {
  TempDir dir;
  auto reader = SqliteDb::Open(dir.path() + "/db", 1000);
  auto writer = SqliteDb::Open(dir.path() + "/db", 1000);
  ASSERT_TRUE(reader.ok() && writer.ok());
  ASSERT_TRUE((*writer)->Exec("CREATE TABLE t(x INTEGER); INSERT INTO t VALUES(1),(2),(3)").ok());
  {
    // Stepped once, never finished: a finalized-on-reuse cache would keep its read transaction.
    auto rows = (*reader)->PrepareCached("SELECT x FROM t ORDER BY x");
    ASSERT_TRUE(rows.ok());
    ASSERT_TRUE(*rows->Step());
  }
  ASSERT_TRUE((*writer)->Exec("INSERT INTO t VALUES(4)").ok());
  // A checkpoint can copy everything back (no reader pins an older snapshot)...
  auto checkpoint = (*writer)->Prepare("PRAGMA wal_checkpoint(TRUNCATE)");
  ASSERT_TRUE(checkpoint.ok());
  ASSERT_TRUE(*checkpoint->Step());
  EXPECT_EQ(checkpoint->ColumnInt(0), 0) << "checkpoint blocked by a reader";
  // ...and the reader's next use sees the new row.
  EXPECT_EQ(CountCached(reader->get()), 4);
}

}  // namespace
}  // namespace labelloop
