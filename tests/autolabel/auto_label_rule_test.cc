#include "server/auto_label_rule.h"

#include <cstdint>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace labelloop {
namespace {

v1::PredictResponse Prelabels(const std::vector<float>& scores) {
  v1::PredictResponse response;
  for (float score : scores) {
    v1::Box* box = response.add_detections();
    box->set_x1(1), box->set_y1(1), box->set_x2(9), box->set_y2(9);
    box->set_class_name("cat");
    box->set_score(score);
  }
  return response;
}

TEST(JudgePrelabelsTest, EveryPrelabelMustReachTheThreshold) {
  // At the threshold counts (scores are floats; calibrated thresholds are one of them).
  EXPECT_EQ(JudgePrelabels(Prelabels({0.95f, 0.9f}), 0.9f), PrelabelVerdict::kConfident);
  // One box between the label-assist threshold and the auto-label one: people decide.
  EXPECT_EQ(JudgePrelabels(Prelabels({0.99f, 0.5f}), 0.9), PrelabelVerdict::kAmbiguous);
  // No box at all says nothing about missed objects.
  EXPECT_EQ(JudgePrelabels(Prelabels({}), 0.9), PrelabelVerdict::kEmpty);
}

TEST(AutoLabelThresholdTest, NeverBelowLabelAssist) {
  EXPECT_DOUBLE_EQ(AutoLabelThreshold(0.8, 0.3), 0.8);
  // Detections under label assist are not stored, so a lower calibration cannot be checked.
  EXPECT_DOUBLE_EQ(AutoLabelThreshold(0.2, 0.3), 0.3);
}

TEST(ChooseForReviewTest, ShareRoundsUpAndIsStable) {
  std::vector<int64_t> ids;
  for (int64_t i = 1; i <= 25; ++i) ids.push_back(i * 7);
  auto count = [](const std::vector<bool>& v) {
    return static_cast<int>(std::count(v.begin(), v.end(), true));
  };
  EXPECT_EQ(count(ChooseForReview(ids, 0.1)), 3);  // ceil(2.5)
  EXPECT_EQ(count(ChooseForReview(ids, 0.0)), 0);
  EXPECT_EQ(count(ChooseForReview(ids, 1.0)), 25);
  EXPECT_EQ(count(ChooseForReview({42}, 0.01)), 1);  // any share above 0 reviews something
  EXPECT_EQ(count(ChooseForReview(ids, 0.2)), 5);    // exact products are not rounded up
  // Nor are they when the share was a float config value.
  const std::vector<int64_t> ten(ids.begin(), ids.begin() + 10);
  EXPECT_EQ(count(ChooseForReview(ten, static_cast<double>(0.1f))), 1);
  EXPECT_EQ(count(ChooseForReview(ids, static_cast<double>(0.2f))), 5);
  EXPECT_TRUE(ChooseForReview({}, 0.5).empty());
  // The same images every time, whatever the order they come in.
  const std::vector<bool> first = ChooseForReview(ids, 0.1);
  std::vector<int64_t> reversed(ids.rbegin(), ids.rend());
  const std::vector<bool> second = ChooseForReview(reversed, 0.1);
  for (size_t i = 0; i < ids.size(); ++i) EXPECT_EQ(first[i], second[ids.size() - 1 - i]);
}

}  // namespace
}  // namespace labelloop
