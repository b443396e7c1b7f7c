#include "trainer/promotion_policy.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace labelloop {
namespace {

using ::testing::HasSubstr;

TEST(PromotionPolicyTest, PromotesWhenNothingServes) {
  const PromotionDecision d = DecidePromotion(0.01, std::nullopt, 0.01);
  EXPECT_TRUE(d.promote);
  EXPECT_THAT(d.reason, HasSubstr("no model is serving"));
  EXPECT_TRUE(DecidePromotion(-1, std::nullopt, 0.01).promote);
}

TEST(PromotionPolicyTest, PromotesWithinTolerance) {
  EXPECT_TRUE(DecidePromotion(0.50, 0.40, 0.01).promote);
  EXPECT_TRUE(DecidePromotion(0.40, 0.40, 0.0).promote);
  const PromotionDecision d = DecidePromotion(0.395, 0.40, 0.01);
  EXPECT_TRUE(d.promote);
  EXPECT_EQ(d.reason, "val mAP 0.3950 >= serving 0.4000 - tolerance 0.0100");
}

TEST(PromotionPolicyTest, RejectsWorseThanTolerance) {
  const PromotionDecision d = DecidePromotion(0.38, 0.40, 0.01);
  EXPECT_FALSE(d.promote);
  EXPECT_EQ(d.reason, "val mAP 0.3800 < serving 0.4000 - tolerance 0.0100");
  EXPECT_FALSE(DecidePromotion(0.399, 0.40, 0.0).promote);
}

TEST(PromotionPolicyTest, UnmeasuredModels) {
  EXPECT_TRUE(DecidePromotion(-1, -1.0, 0.01).promote);
  const PromotionDecision no_candidate = DecidePromotion(-1, 0.3, 0.01);
  EXPECT_FALSE(no_candidate.promote);
  EXPECT_THAT(no_candidate.reason, HasSubstr("no validation"));
  EXPECT_TRUE(DecidePromotion(0.2, -1.0, 0.01).promote);
}

}  // namespace
}  // namespace labelloop
