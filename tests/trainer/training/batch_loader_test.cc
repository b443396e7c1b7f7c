#include "trainer/batch_loader.h"

#include <atomic>
#include <chrono>
#include <thread>

#include "absl/status/status.h"
#include "gtest/gtest.h"

namespace labelloop {
namespace {

using std::chrono::milliseconds;

std::vector<std::vector<PlannedExample>> Plan(size_t batches, size_t batch_size) {
  std::vector<std::vector<PlannedExample>> plan(batches);
  size_t index = 0;
  for (auto& batch : plan) {
    for (size_t i = 0; i < batch_size; ++i, ++index) batch.push_back({index, index * 10});
  }
  return plan;
}

TEST(BatchLoaderTest, HandsOutBatchesInPlanOrderFromManyThreads) {
  BatchLoader loader(
      Plan(20, 3),
      [](const PlannedExample& p) -> absl::StatusOr<TrainingExample> {
        // Uneven work, so threads finish out of order.
        std::this_thread::sleep_for(milliseconds((p.index * 7) % 5));
        TrainingExample example;
        example.image_id = static_cast<int64_t>(p.index);
        return example;
      },
      4, 4);
  for (size_t b = 0; b < 20; ++b) {
    std::optional<LoadedBatch> batch = loader.Next();
    ASSERT_TRUE(batch.has_value());
    EXPECT_EQ(batch->position, b);
    ASSERT_EQ(batch->examples.size(), 3u);
    for (size_t i = 0; i < 3; ++i) {
      EXPECT_EQ(batch->examples[i].image_id, static_cast<int64_t>(b * 3 + i));
    }
  }
  EXPECT_FALSE(loader.Next().has_value());
  EXPECT_FALSE(loader.Next().has_value());
}

TEST(BatchLoaderTest, PassesThePlannedSeed) {
  BatchLoader loader(
      Plan(2, 2),
      [](const PlannedExample& p) -> absl::StatusOr<TrainingExample> {
        TrainingExample example;
        example.image_id = static_cast<int64_t>(p.seed);
        return example;
      },
      2, 2);
  EXPECT_EQ(loader.Next()->examples[1].image_id, 10);
  EXPECT_EQ(loader.Next()->examples[0].image_id, 20);
}

TEST(BatchLoaderTest, LoadsAheadButNoFurtherThanCapacity) {
  std::atomic<int> made{0};
  BatchLoader loader(
      Plan(50, 1),
      [&](const PlannedExample&) -> absl::StatusOr<TrainingExample> {
        ++made;
        return TrainingExample();
      },
      3, 5);
  // Nothing consumed: the threads stop after `capacity` batches.
  std::this_thread::sleep_for(milliseconds(100));
  EXPECT_EQ(made.load(), 5);
  ASSERT_TRUE(loader.Next().has_value());
  std::this_thread::sleep_for(milliseconds(100));
  EXPECT_EQ(made.load(), 6);
}

TEST(BatchLoaderTest, LoadingOverlapsTheConsumer) {
  // 10 batches of 30 ms work each on 2 threads, consumed with 30 ms of "training" each: serial
  // would take 600 ms, overlapped about 300.
  BatchLoader loader(
      Plan(10, 1),
      [](const PlannedExample&) -> absl::StatusOr<TrainingExample> {
        std::this_thread::sleep_for(milliseconds(30));
        return TrainingExample();
      },
      2, 4);
  const auto start = std::chrono::steady_clock::now();
  while (loader.Next().has_value()) std::this_thread::sleep_for(milliseconds(30));
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_LT(elapsed, milliseconds(500));
}

TEST(BatchLoaderTest, FailedExamplesAreSkippedWithTheirReason) {
  BatchLoader loader(
      Plan(1, 4),
      [](const PlannedExample& p) -> absl::StatusOr<TrainingExample> {
        if (p.index == 1) return absl::DataLossError("image 1: cannot be decoded");
        if (p.index == 2) throw std::runtime_error("boom");
        return TrainingExample();
      },
      1, 1);
  std::optional<LoadedBatch> batch = loader.Next();
  ASSERT_TRUE(batch.has_value());
  EXPECT_EQ(batch->examples.size(), 2u);
  ASSERT_EQ(batch->errors.size(), 2u);
  EXPECT_EQ(batch->errors[0], "image 1: cannot be decoded");
  EXPECT_NE(batch->errors[1].find("boom"), std::string::npos);
}

TEST(BatchLoaderTest, StopEndsPromptlyAndNextReturnsNothing) {
  std::atomic<int> made{0};
  auto loader = std::make_unique<BatchLoader>(
      Plan(1000, 8),
      [&](const PlannedExample&) -> absl::StatusOr<TrainingExample> {
        ++made;
        std::this_thread::sleep_for(milliseconds(5));
        return TrainingExample();
      },
      2, 3);
  ASSERT_TRUE(loader->Next().has_value());
  const auto start = std::chrono::steady_clock::now();
  loader->Stop();
  EXPECT_FALSE(loader->Next().has_value());
  loader.reset();  // joins
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(200));
  EXPECT_LT(made.load(), 8 * 6);
}

TEST(BatchLoaderTest, DestroyingMidPlanJoinsCleanly) {
  for (int i = 0; i < 20; ++i) {
    BatchLoader loader(
        Plan(100, 2),
        [](const PlannedExample&) -> absl::StatusOr<TrainingExample> { return TrainingExample(); },
        3, 2);
    if (i % 2 == 0) loader.Next();
  }
}

TEST(BatchLoaderTest, EmptyPlan) {
  BatchLoader loader(
      {}, [](const PlannedExample&) { return absl::StatusOr<TrainingExample>(); }, 2, 2);
  EXPECT_FALSE(loader.Next().has_value());
}

}  // namespace
}  // namespace labelloop
