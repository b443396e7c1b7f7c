#include "sampler/lease_table.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace labelloop {
namespace {

using ::testing::UnorderedElementsAre;

TEST(LeaseTableTest, FindsLiveLeasesOnly) {
  LeaseTable table;
  table.Grant(1, {"a", "ann", 100});
  ASSERT_NE(table.Find(1, 99), nullptr);
  EXPECT_EQ(table.Find(1, 99)->lease_id, "a");
  EXPECT_EQ(table.Find(1, 100), nullptr);  // Expiry instant counts as expired.
  EXPECT_EQ(table.Find(2, 0), nullptr);
}

TEST(LeaseTableTest, TakeExpiredReturnsEachImageOnce) {
  LeaseTable table;
  table.Grant(1, {"a", "x", 100});
  table.Grant(2, {"b", "x", 200});
  table.Grant(3, {"c", "x", 100});
  EXPECT_THAT(table.TakeExpired(150), UnorderedElementsAre(1, 3));
  EXPECT_TRUE(table.TakeExpired(150).empty());
  EXPECT_EQ(table.size(), 1u);
}

TEST(LeaseTableTest, RegrantReplacesTheOldExpiry) {
  LeaseTable table;
  table.Grant(1, {"a", "x", 100});
  table.Grant(1, {"b", "x", 300});
  EXPECT_TRUE(table.TakeExpired(200).empty());
  EXPECT_EQ(table.Find(1, 200)->lease_id, "b");
  table.Remove(1);
  EXPECT_TRUE(table.TakeExpired(1000).empty());
  EXPECT_EQ(table.size(), 0u);
}

}  // namespace
}  // namespace labelloop
