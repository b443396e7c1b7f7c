#include "common/wal_checkpointer.h"

#include <filesystem>
#include <thread>
#include <vector>

#include "common/group_commit.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/common/temp_dir.h"

namespace labelloop {
namespace {

absl::Status Insert(SqliteDb* db, int64_t value) {
  auto insert = db->PrepareCached("INSERT INTO t(x, pad) VALUES(?, zeroblob(2000))");
  if (!insert.ok()) return insert.status();
  return insert->Bind(1, value).Run();
}

// Many small group commits with the writer's autocheckpoint as the Store sets it (scaled down):
// the background checkpointer copies most of the log, the WAL file stays bounded, and every
// committed row is in the database afterwards.
TEST(WalCheckpointerTest, KeepsTheLogBoundedWhileGroupCommitsRun) {
  TempDir dir;
  const std::string path = dir.path() + "/db";
  auto db = SqliteDb::Open(path, 5000);
  ASSERT_TRUE(db.ok()) << db.status();
  ASSERT_TRUE((*db)->Exec("CREATE TABLE t(x INTEGER UNIQUE, pad BLOB)").ok());
  ASSERT_TRUE((*db)->Exec("PRAGMA wal_autocheckpoint=500").ok());
  auto checkpointer = WalCheckpointer::Start(path, {/*interval_ms=*/10, 5000});
  ASSERT_TRUE(checkpointer.ok()) << checkpointer.status();
  constexpr int kThreads = 4;
  constexpr int kPerThread = 2000;  // ~16 MB of rows in up to 8,000 commits.
  uintmax_t max_wal_bytes = 0;
  {
    GroupCommitter committer(db->get());
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kPerThread; ++i) {
          int64_t value = t * 100000 + i;
          EXPECT_TRUE(committer.Commit([value](SqliteDb* d) { return Insert(d, value); }).ok());
        }
      });
    }
    std::error_code ec;
    for (int i = 0; i < 400; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      max_wal_bytes = std::max(max_wal_bytes, std::filesystem::file_size(path + "-wal", ec));
    }
    for (std::thread& thread : threads) thread.join();
  }
  EXPECT_GT((*checkpointer)->checkpoints(), 0);
  EXPECT_GT((*checkpointer)->frames_copied(), 0);
  EXPECT_EQ((*checkpointer)->failures(), 0);
  // Without checkpoints the log would hold every page written (> 16 MB).
  EXPECT_LT(max_wal_bytes, 6u << 20) << "WAL grew to " << max_wal_bytes << " bytes";
  auto count = (*db)->Prepare("SELECT COUNT(*) FROM t");
  ASSERT_TRUE(count.ok());
  ASSERT_TRUE(*count->Step());
  EXPECT_EQ(count->ColumnInt(0), kThreads * kPerThread);
}

TEST(WalCheckpointerTest, CheckpointNowCopiesCommittedFrames) {
  TempDir dir;
  const std::string path = dir.path() + "/db";
  auto db = SqliteDb::Open(path, 5000);
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE((*db)->Exec("PRAGMA wal_autocheckpoint=0").ok());
  ASSERT_TRUE((*db)->Exec("CREATE TABLE t(x INTEGER UNIQUE, pad BLOB)").ok());
  auto checkpointer = WalCheckpointer::Start(path, {/*interval_ms=*/60000, 5000});
  ASSERT_TRUE(checkpointer.ok());
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(Insert(db->get(), i).ok());
  ASSERT_TRUE((*checkpointer)->CheckpointNow().ok());
  EXPECT_GE((*checkpointer)->frames_copied(), 50);
}

}  // namespace
}  // namespace labelloop
