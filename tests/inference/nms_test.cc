#include "inference/nms.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <vector>

namespace labelloop {
namespace {

std::vector<int64_t> ToVector(const torch::Tensor& t) {
  auto c = t.contiguous();
  return {c.data_ptr<int64_t>(), c.data_ptr<int64_t>() + c.numel()};
}

TEST(NmsTest, SuppressesOverlapAboveThresholdOnly) {
  // Box 1 overlaps box 0 with IoU 0.5 exactly (intersection 50, union 100); box 2 is apart.
  auto boxes =
      torch::tensor({{0.f, 0.f, 10.f, 7.5f}, {0.f, 2.5f, 10.f, 10.f}, {20.f, 20.f, 30.f, 30.f}});
  auto scores = torch::tensor({0.9f, 0.8f, 0.7f});
  EXPECT_EQ(ToVector(Nms(boxes, scores, 0.5)), (std::vector<int64_t>{0, 1, 2}));
  EXPECT_EQ(ToVector(Nms(boxes, scores, 0.49)), (std::vector<int64_t>{0, 2}));
}

TEST(NmsTest, OrdersByScoreAndKeepsInputOrderOnTies) {
  auto boxes =
      torch::tensor({{0.f, 0.f, 1.f, 1.f}, {5.f, 5.f, 6.f, 6.f}, {10.f, 10.f, 11.f, 11.f}});
  auto scores = torch::tensor({0.5f, 0.9f, 0.5f});
  EXPECT_EQ(ToVector(Nms(boxes, scores, 0.5)), (std::vector<int64_t>{1, 0, 2}));
  // Identical boxes with identical scores: the first one wins.
  auto same = torch::tensor({{0.f, 0.f, 4.f, 4.f}, {0.f, 0.f, 4.f, 4.f}});
  EXPECT_EQ(ToVector(Nms(same, torch::tensor({0.5f, 0.5f}), 0.5)), (std::vector<int64_t>{0}));
}

TEST(NmsTest, EmptyInput) {
  EXPECT_EQ(Nms(torch::zeros({0, 4}), torch::zeros({0}), 0.5).numel(), 0);
  EXPECT_EQ(
      BatchedNms(torch::zeros({0, 4}), torch::zeros({0}), torch::zeros({0}, torch::kInt64), 0.5)
          .numel(),
      0);
}

TEST(NmsTest, BatchedKeepsOverlapsOfDifferentClasses) {
  auto boxes =
      torch::tensor({{0.f, 0.f, 10.f, 10.f}, {0.f, 0.f, 10.f, 10.f}, {1.f, 1.f, 10.f, 10.f}});
  auto scores = torch::tensor({0.9f, 0.8f, 0.7f});
  auto classes = torch::tensor({1, 2, 1}, torch::kInt64);
  EXPECT_EQ(ToVector(BatchedNms(boxes, scores, classes, 0.5)), (std::vector<int64_t>{0, 1}));
}

TEST(NmsTest, BatchedPerClassLoopAgreesWithOffsetTrick) {
  // Over 1000 boxes torchvision (and we) switch from the offset trick to a per-class loop.
  torch::manual_seed(3);
  auto xy = torch::rand({1500, 2}) * 200;
  auto boxes = torch::cat({xy, xy + 5 + torch::rand({1500, 2}) * 40}, 1);
  auto scores = torch::rand({1500});
  auto classes = torch::randint(0, 4, {1500}, torch::kInt64);
  auto loop = BatchedNms(boxes, scores, classes, 0.5);
  auto trick =
      BatchedNms(boxes.slice(0, 0, 1000), scores.slice(0, 0, 1000), classes.slice(0, 0, 1000), 0.5);
  // Reference: per class with plain Nms, on the first 1000 boxes.
  auto first = boxes.slice(0, 0, 1000);
  std::vector<int64_t> expected;
  auto keep_mask = torch::zeros({1000}, torch::kBool);
  for (int64_t c = 0; c < 4; ++c) {
    auto idx = torch::where(classes.slice(0, 0, 1000) == c)[0];
    auto kept = Nms(first.index({idx}), scores.slice(0, 0, 1000).index({idx}), 0.5);
    keep_mask.index_put_({idx.index({kept})}, true);
  }
  EXPECT_EQ(trick.size(0), keep_mask.sum().item<int64_t>());
  EXPECT_TRUE(keep_mask.index({trick}).all().item<bool>());
  // The loop's output is sorted by decreasing score.
  auto s = scores.index({loop});
  EXPECT_TRUE((s.slice(0, 1) <= s.slice(0, 0, -1)).all().item<bool>());
}

}  // namespace
}  // namespace labelloop
