#include "common/group_commit.h"

#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/common/temp_dir.h"

namespace labelloop {
namespace {

int64_t CountRows(SqliteDb* db) {
  auto q = db->Prepare("SELECT COUNT(*) FROM t");
  EXPECT_TRUE(q.ok());
  EXPECT_TRUE(*q->Step());
  return q->ColumnInt(0);
}

absl::Status Insert(SqliteDb* db, int64_t value) {
  auto insert = db->Prepare("INSERT INTO t(x) VALUES(?)");
  if (!insert.ok()) return insert.status();
  return insert->Bind(1, value).Run();
}

TEST(GroupCommitTest, ConcurrentWritesShareCommitsAndAllLand) {
  TempDir dir;
  auto db = SqliteDb::Open(dir.path() + "/db", 1000);
  ASSERT_TRUE((*db)->Exec("CREATE TABLE t(x INTEGER UNIQUE)").ok());
  constexpr int kThreads = 16;
  constexpr int kPerThread = 50;
  int64_t groups = 0;
  {
    GroupCommitter committer(db->get());
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kPerThread; ++i) {
          int64_t value = t * 1000 + i;
          EXPECT_TRUE(committer.Commit([value](SqliteDb* d) { return Insert(d, value); }).ok());
        }
      });
    }
    for (std::thread& t : threads) t.join();
    groups = committer.groups();
    EXPECT_EQ(committer.operations(), kThreads * kPerThread);
  }
  EXPECT_EQ(CountRows(db->get()), kThreads * kPerThread);
  // With 16 writers waiting on fsync, groups hold several operations each.
  EXPECT_LT(groups, kThreads * kPerThread / 2);
}

TEST(GroupCommitTest, AFailingOperationRollsBackAloneWithItsOwnError) {
  TempDir dir;
  auto db = SqliteDb::Open(dir.path() + "/db", 1000);
  ASSERT_TRUE((*db)->Exec("CREATE TABLE t(x INTEGER UNIQUE)").ok());
  GroupCommitter committer(db->get());
  ASSERT_TRUE(committer.Commit([](SqliteDb* d) { return Insert(d, 1); }).ok());
  absl::Status failed = committer.Commit([](SqliteDb* d) {
    absl::Status s = Insert(d, 2);  // Would land...
    if (!s.ok()) return s;
    return Insert(d, 1);  // ...but this violates UNIQUE, so the whole operation rolls back.
  });
  EXPECT_EQ(failed.code(), absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(committer.Commit([](SqliteDb* d) { return Insert(d, 3); }).ok());
  EXPECT_EQ(CountRows(db->get()), 2);  // 1 and 3.
}

TEST(GroupCommitTest, LaterWritesLandBeforeTheCommitterStops) {
  TempDir dir;
  auto db = SqliteDb::Open(dir.path() + "/db", 1000);
  ASSERT_TRUE((*db)->Exec("CREATE TABLE t(x INTEGER UNIQUE)").ok());
  {
    GroupCommitter committer(db->get());
    for (int i = 0; i < 10; ++i) committer.CommitLater([i](SqliteDb* d) { return Insert(d, i); });
  }
  EXPECT_EQ(CountRows(db->get()), 10);
}

}  // namespace
}  // namespace labelloop
