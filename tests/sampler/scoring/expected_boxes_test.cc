#include "sampler/expected_boxes.h"

#include <vector>

#include "gtest/gtest.h"

namespace labelloop {
namespace {

ScoredDetection Det(float x1, float y1, float x2, float y2, float score, int64_t label = 1) {
  ScoredDetection d;
  d.box = {x1, y1, x2, y2};
  d.score = score;
  d.label = label;
  return d;
}

TEST(ExpectedBoxCountTest, NoPreLabelsIsZero) { EXPECT_EQ(ExpectedBoxCount({}), 0.0); }

TEST(ExpectedBoxCountTest, OneObjectUnderSeveralClassesCountsOnce) {
  // One place named sandal, boot and bag (the highest stays), and a separate bag.
  const std::vector<ScoredDetection> pre_labels = {
      Det(60, 105, 116, 142, 0.46f, 2), Det(60, 105, 116, 142, 0.58f, 1),
      Det(61, 104, 115, 141, 0.43f, 3), Det(24, 56, 70, 98, 0.52f, 3)};
  EXPECT_NEAR(ExpectedBoxCount(pre_labels), 0.58 + 0.52, 1e-6);
}

TEST(ExpectedBoxCountTest, SumsScoresOfSeparateBoxes) {
  const std::vector<ScoredDetection> pre_labels = {
      Det(0, 0, 10, 10, 1.0f), Det(20, 0, 30, 10, 0.5f), Det(0, 20, 10, 30, 0.25f)};
  EXPECT_NEAR(ExpectedBoxCount(pre_labels), 1.75, 1e-6);
}

TEST(ExpectedBoxCountTest, OverlapBelowTheNmsIouCountsBoth) {
  // IoU of [0,10]x[0,10] and [5,15]x[0,10] is 50 / 150 = 1/3.
  const std::vector<ScoredDetection> pre_labels = {Det(0, 0, 10, 10, 0.8f),
                                                   Det(5, 0, 15, 10, 0.6f)};
  EXPECT_NEAR(ExpectedBoxCount(pre_labels, /*nms_iou=*/0.5), 1.4, 1e-6);
  EXPECT_NEAR(ExpectedBoxCount(pre_labels, /*nms_iou=*/0.3), 0.8, 1e-6);
}

TEST(ExpectedBoxCountTest, SkipsScoresOutsideTheUnitInterval) {
  const std::vector<ScoredDetection> pre_labels = {Det(0, 0, 10, 10, 0.0f), Det(0, 0, 10, 10, 1.5f),
                                                   Det(0, 0, 10, 10, 0.4f)};
  EXPECT_NEAR(ExpectedBoxCount(pre_labels), 0.4, 1e-6);
}

}  // namespace
}  // namespace labelloop
