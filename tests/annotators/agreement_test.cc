// Agreement between annotators' labels of one image (common/agreement.h), on hand-made boxes
// whose answers follow from the definition.

#include "common/agreement.h"

#include <gtest/gtest.h>

namespace labelloop {
namespace {

constexpr int64_t kCar = 1;
constexpr int64_t kPerson = 2;
constexpr double kIou = 0.5;

ValidBox Box(float x1, float y1, float x2, float y2, int64_t class_id = kCar) {
  return {x1, y1, x2, y2, class_id};
}

TEST(BoxIouTest, KnownOverlaps) {
  EXPECT_DOUBLE_EQ(BoxIou(Box(0, 0, 10, 10), Box(0, 0, 10, 10)), 1.0);
  // Shifted by half its width: intersection 50, union 150.
  EXPECT_DOUBLE_EQ(BoxIou(Box(0, 0, 10, 10), Box(5, 0, 15, 10)), 50.0 / 150.0);
  EXPECT_DOUBLE_EQ(BoxIou(Box(0, 0, 10, 10), Box(10, 0, 20, 10)), 0.0);
}

TEST(PairAgreementTest, IdenticalLabelsAgreeFully) {
  std::vector<ValidBox> a = {Box(0, 0, 10, 10), Box(20, 20, 40, 40, kPerson)};
  EXPECT_DOUBLE_EQ(PairAgreement(a, a, kIou), 1.0);
}

TEST(PairAgreementTest, EmptyAndEmptyAgreeFully) {
  EXPECT_DOUBLE_EQ(PairAgreement({}, {}, kIou), 1.0);
}

TEST(PairAgreementTest, EmptyAgainstBoxesIsZero) {
  EXPECT_DOUBLE_EQ(PairAgreement({}, {Box(0, 0, 10, 10)}, kIou), 0.0);
  EXPECT_DOUBLE_EQ(PairAgreement({Box(0, 0, 10, 10)}, {}, kIou), 0.0);
}

TEST(PairAgreementTest, SlightShiftStillMatchesLargeShiftDoesNot) {
  // Shifted by 1 of 10: IoU 90/110 = 0.82 >= 0.5.
  EXPECT_DOUBLE_EQ(PairAgreement({Box(0, 0, 10, 10)}, {Box(1, 0, 11, 10)}, kIou), 1.0);
  // Shifted by 5: IoU 1/3 < 0.5: two unmatched boxes, agreement 0 / 2.
  EXPECT_DOUBLE_EQ(PairAgreement({Box(0, 0, 10, 10)}, {Box(5, 0, 15, 10)}, kIou), 0.0);
  // The threshold decides: at 0.3 the same pair matches.
  EXPECT_DOUBLE_EQ(PairAgreement({Box(0, 0, 10, 10)}, {Box(5, 0, 15, 10)}, 0.3), 1.0);
}

TEST(PairAgreementTest, ClassMismatchDoesNotMatch) {
  EXPECT_DOUBLE_EQ(PairAgreement({Box(0, 0, 10, 10, kCar)}, {Box(0, 0, 10, 10, kPerson)}, kIou),
                   0.0);
}

TEST(PairAgreementTest, MissingBoxCountsInTheUnion) {
  std::vector<ValidBox> a = {Box(0, 0, 10, 10), Box(20, 20, 30, 30), Box(50, 50, 60, 60)};
  std::vector<ValidBox> b = {Box(0, 0, 10, 10), Box(20, 20, 30, 30)};
  // 2 matched over a union of 3 + 2 - 2 = 3 boxes.
  EXPECT_DOUBLE_EQ(PairAgreement(a, b, kIou), 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(PairAgreement(b, a, kIou), 2.0 / 3.0);
}

TEST(PairAgreementTest, GreedyByIouMatchesEachBoxOnce) {
  // Two boxes of A both overlap B's one box: one match, the better one; union 2 + 1 - 1 = 2.
  std::vector<ValidBox> a = {Box(0, 0, 10, 10), Box(1, 0, 11, 10)};
  std::vector<ValidBox> b = {Box(1, 0, 11, 10)};
  EXPECT_EQ(MatchBoxes(a, b, kIou), 1);
  EXPECT_DOUBLE_EQ(PairAgreement(a, b, kIou), 0.5);
}

TEST(ComputeAgreementTest, MeanOverPairsAndPerLabel) {
  std::vector<ValidBox> one = {Box(0, 0, 10, 10)};
  // Three annotators: two agree, the third labeled nothing.
  ImageAgreement agreement = ComputeAgreement({one, one, {}}, kIou);
  // Pairs: (1,2) = 1, (1,3) = 0, (2,3) = 0.
  EXPECT_DOUBLE_EQ(agreement.agreement, 1.0 / 3.0);
  ASSERT_EQ(agreement.per_label.size(), 3u);
  EXPECT_DOUBLE_EQ(agreement.per_label[0], 0.5);
  EXPECT_DOUBLE_EQ(agreement.per_label[1], 0.5);
  EXPECT_DOUBLE_EQ(agreement.per_label[2], 0.0);
}

TEST(ComputeAgreementTest, TwoEmptyLabelsAgree) {
  ImageAgreement agreement = ComputeAgreement({{}, {}}, kIou);
  EXPECT_DOUBLE_EQ(agreement.agreement, 1.0);
}

}  // namespace
}  // namespace labelloop
