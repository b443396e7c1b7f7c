#include "sampler/ranked_pool.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sampler/random_order.h"

namespace labelloop {
namespace {

std::vector<int64_t> Ids(const std::vector<std::pair<int64_t, PoolEntry>>& taken) {
  std::vector<int64_t> ids;
  for (const auto& [id, entry] : taken) ids.push_back(id);
  return ids;
}

TEST(RankedPoolTest, HigherPriorityFirstAndSkippedLast) {
  RankedPool pool;
  pool.Put(1, {PoolEntry::kUnlabeled, 0.2, 0});
  pool.Put(2, {PoolEntry::kSkipped, 0.9, 0});
  pool.Put(3, {PoolEntry::kUnlabeled, 0.8, 0});
  pool.Put(4, {PoolEntry::kUnlabeled, 0.5, 0});
  EXPECT_THAT(Ids(pool.PopFront(10)), ::testing::ElementsAre(3, 4, 1, 2));
  EXPECT_EQ(pool.size(), 0u);
}

TEST(RankedPoolTest, HeadReadsTheOrderWithoutTakingAnything) {
  RankedPool pool;
  pool.Put(1, {PoolEntry::kUnlabeled, 0.2, 0});
  pool.Put(2, {PoolEntry::kSkipped, 0.9, 0});
  pool.Put(3, {PoolEntry::kUnlabeled, 0.8, 0});
  EXPECT_THAT(pool.Head(2), ::testing::ElementsAre(3, 1));
  EXPECT_THAT(pool.Head(10), ::testing::ElementsAre(3, 1, 2));
  EXPECT_EQ(pool.size(), 3u);
  EXPECT_THAT(Ids(pool.PopFront(10)), ::testing::ElementsAre(3, 1, 2));
}

TEST(RankedPoolTest, PeekFrontGivesEntriesWithoutTakingAnything) {
  RankedPool pool;
  pool.Put(1, {PoolEntry::kUnlabeled, 0.2, 0, 11});
  pool.Put(2, {PoolEntry::kSkipped, 0.9, 0, 12});
  pool.Put(3, {PoolEntry::kUnlabeled, 0.8, 0, 13});
  std::vector<std::pair<int64_t, PoolEntry>> head = pool.PeekFront(2);
  EXPECT_THAT(Ids(head), ::testing::ElementsAre(3, 1));
  EXPECT_DOUBLE_EQ(head[0].second.priority, 0.8);
  EXPECT_EQ(head[1].second.random_key, 11u);
  EXPECT_THAT(Ids(pool.PeekFront(10)), ::testing::ElementsAre(3, 1, 2));
  EXPECT_EQ(pool.size(), 3u);
}

TEST(RankedPoolTest, PutMovesAnExistingImage) {
  RankedPool pool;
  pool.Put(1, {PoolEntry::kUnlabeled, 0.2, 0});
  pool.Put(2, {PoolEntry::kUnlabeled, 0.5, 0});
  pool.Put(1, {PoolEntry::kUnlabeled, 0.9, 0});
  EXPECT_EQ(pool.size(), 2u);
  EXPECT_THAT(Ids(pool.PopFront(1)), ::testing::ElementsAre(1));
  EXPECT_TRUE(pool.Remove(2));
  EXPECT_FALSE(pool.Remove(2));
}

TEST(RankedPoolTest, AssignOrdersLikePutsAndReplacesTheContent) {
  RankedPool by_put;
  std::vector<std::pair<int64_t, PoolEntry>> entries;
  for (int64_t id = 1; id <= 200; ++id) {
    uint64_t key = RandomOrderKey(3, id);
    // Coarse priorities, so ties are broken by the tiebreak; every 7th image skipped.
    PoolEntry entry = id % 7 == 0 ? PoolEntry{PoolEntry::kSkipped, -static_cast<double>(id), 0, key}
                                  : PoolEntry{PoolEntry::kUnlabeled, (id % 5) / 5.0, key, key};
    by_put.Put(id, entry);
    entries.emplace_back(id, entry);
  }
  RankedPool by_assign;
  by_assign.Put(999, {PoolEntry::kUnlabeled, 1.0, 0, 0});  // Gone after Assign.
  by_assign.Assign(entries);
  EXPECT_EQ(by_assign.size(), 200u);
  EXPECT_FALSE(by_assign.Contains(999));
  EXPECT_EQ(by_assign.Entries().size(), 200u);
  EXPECT_EQ(Ids(by_assign.PopRandom(20)), Ids(by_put.PopRandom(20)));
  EXPECT_EQ(Ids(by_assign.PopFront(200)), Ids(by_put.PopFront(200)));
}

TEST(RandomOrderTest, SeededShuffleIsStableAndSeedDependent) {
  RankedPool a, b, c;
  for (int64_t id = 1; id <= 50; ++id) {
    a.Put(id, {PoolEntry::kUnlabeled, RandomOrderScore(RandomOrderKey(7, id)), 0});
    b.Put(id, {PoolEntry::kUnlabeled, RandomOrderScore(RandomOrderKey(7, id)), 0});
    c.Put(id, {PoolEntry::kUnlabeled, RandomOrderScore(RandomOrderKey(8, id)), 0});
  }
  std::vector<int64_t> order_a = Ids(a.PopFront(50));
  EXPECT_EQ(order_a, Ids(b.PopFront(50)));
  EXPECT_NE(order_a, Ids(c.PopFront(50)));
  std::vector<int64_t> sorted(order_a);
  std::sort(sorted.begin(), sorted.end());
  EXPECT_NE(order_a, sorted);  // Actually shuffled.
}

}  // namespace
}  // namespace labelloop
