#include "common/schema_migrations.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/common/temp_dir.h"

namespace labelloop {
namespace {

using ::testing::HasSubstr;

std::vector<SchemaMigration> TwoMigrations() {
  return {{1, "a table", "CREATE TABLE a(x INTEGER);"},
          {2, "b table", "CREATE TABLE b(y INTEGER); INSERT INTO b VALUES(7);"}};
}

TEST(SchemaMigrationsTest, AppliesInOrderAndRecordsVersions) {
  TempDir dir;
  auto db = SqliteDb::Open(dir.path() + "/db", 1000);
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE(ApplyMigrations(db->get(), TwoMigrations()).ok());
  EXPECT_EQ(*SchemaVersion(db->get()), 2);
  auto rows = (*db)->Prepare("SELECT y FROM b");
  ASSERT_TRUE(rows.ok());
  ASSERT_TRUE(*rows->Step());
  EXPECT_EQ(rows->ColumnInt(0), 7);
}

TEST(SchemaMigrationsTest, RerunIsANoOpAndNewMigrationsApplyLater) {
  TempDir dir;
  std::string path = dir.path() + "/db";
  {
    auto db = SqliteDb::Open(path, 1000);
    std::vector<SchemaMigration> first = {TwoMigrations()[0]};
    ASSERT_TRUE(ApplyMigrations(db->get(), first).ok());
    EXPECT_EQ(*SchemaVersion(db->get()), 1);
  }
  auto db = SqliteDb::Open(path, 1000);
  ASSERT_TRUE(ApplyMigrations(db->get(), TwoMigrations()).ok());
  ASSERT_TRUE(ApplyMigrations(db->get(), TwoMigrations()).ok());  // Would fail on re-CREATE.
  EXPECT_EQ(*SchemaVersion(db->get()), 2);
}

TEST(SchemaMigrationsTest, FailedMigrationRollsBackAndIsNamed) {
  TempDir dir;
  auto db = SqliteDb::Open(dir.path() + "/db", 1000);
  std::vector<SchemaMigration> broken = {
      TwoMigrations()[0], {2, "broken", "CREATE TABLE c(z INTEGER); SELEC nonsense;"}};
  absl::Status status = ApplyMigrations(db->get(), broken);
  EXPECT_FALSE(status.ok());
  EXPECT_THAT(status.message(), HasSubstr("migration 2 (broken)"));
  EXPECT_EQ(*SchemaVersion(db->get()), 1);
  // Table c was rolled back with its migration.
  EXPECT_FALSE((*db)->Exec("SELECT * FROM c").ok());
}

TEST(SchemaMigrationsTest, RefusesADatabaseFromTheFuture) {
  TempDir dir;
  auto db = SqliteDb::Open(dir.path() + "/db", 1000);
  ASSERT_TRUE(ApplyMigrations(db->get(), TwoMigrations()).ok());
  std::vector<SchemaMigration> older = {TwoMigrations()[0]};
  absl::Status status = ApplyMigrations(db->get(), older);
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(status.message(), HasSubstr("newer labelloopd"));
}

TEST(SchemaMigrationsTest, StoreMigrationsAreNumberedWithoutGaps) {
  const std::vector<SchemaMigration>& migrations = StoreMigrations();
  for (size_t i = 0; i < migrations.size(); ++i) {
    EXPECT_EQ(migrations[i].version, static_cast<int>(i) + 1);
  }
  TempDir dir;
  auto db = SqliteDb::Open(dir.path() + "/db", 1000);
  EXPECT_TRUE(ApplyMigrations(db->get(), migrations).ok());
}

}  // namespace
}  // namespace labelloop
