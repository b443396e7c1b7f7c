#include "common/class_id_cache.h"

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace labelloop {
namespace {

using ClassIds = ClassIdCache::ClassIds;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;

TEST(ClassIdCacheTest, LoadsOnceUntilInvalidated) {
  ClassIdCache cache;
  int loads = 0;
  ClassIds stored = {{"cat", 1}};
  auto load = [&]() -> absl::StatusOr<ClassIds> {
    ++loads;
    return stored;
  };
  EXPECT_THAT(*cache.Get(load), UnorderedElementsAre(Pair("cat", 1)));
  stored = {{"cat", 1}, {"dog", 2}};
  // Still the first map: nothing said the classes changed.
  EXPECT_THAT(*cache.Get(load), UnorderedElementsAre(Pair("cat", 1)));
  EXPECT_EQ(loads, 1);
  cache.Invalidate();
  EXPECT_THAT(*cache.Get(load), UnorderedElementsAre(Pair("cat", 1), Pair("dog", 2)));
  EXPECT_EQ(loads, 2);
}

TEST(ClassIdCacheTest, FailedLoadIsReturnedAndNotKept) {
  ClassIdCache cache;
  int loads = 0;
  auto failing = [&]() -> absl::StatusOr<ClassIds> {
    ++loads;
    return absl::UnavailableError("disk gone");
  };
  EXPECT_EQ(cache.Get(failing).status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(cache.Get(failing).status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(loads, 2);
}

TEST(ClassIdCacheTest, LoadOverlappingAnInvalidationIsNotKept) {
  ClassIdCache cache;
  int loads = 0;
  // The first load reads the old classes, and a class change commits and invalidates while it
  // runs: its map is answered to this caller but must not be served afterwards.
  auto racing = [&]() -> absl::StatusOr<ClassIds> {
    ++loads;
    cache.Invalidate();
    return ClassIds{{"kitten", 1}};
  };
  EXPECT_THAT(*cache.Get(racing), UnorderedElementsAre(Pair("kitten", 1)));
  auto fresh = [&]() -> absl::StatusOr<ClassIds> {
    ++loads;
    return ClassIds{{"cat", 1}};
  };
  EXPECT_THAT(*cache.Get(fresh), UnorderedElementsAre(Pair("cat", 1)));
  EXPECT_THAT(*cache.Get(fresh), UnorderedElementsAre(Pair("cat", 1)));
  EXPECT_EQ(loads, 2);
}

}  // namespace
}  // namespace labelloop
