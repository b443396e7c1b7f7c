#include "sampler/uncertainty.h"

#include <cmath>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace labelloop {
namespace {

using ::testing::DoubleNear;
using ::testing::ElementsAre;

constexpr double kTol = 1e-6;

ScoredDetection Det(float score, std::vector<float> class_probs) {
  ScoredDetection d;
  d.score = score;
  d.class_probs = std::move(class_probs);
  return d;
}

TEST(ExclusiveClassDistributionTest, OneClassIsTheSigmoidsBernoulli) {
  // K = 1: q = [p, 1 - p].
  EXPECT_THAT(ExclusiveClassDistribution(std::vector<float>{0.9f}),
              ElementsAre(DoubleNear(0.9, kTol), DoubleNear(0.1, kTol)));
}

TEST(ExclusiveClassDistributionTest, TwoClassesByHand) {
  // p = [0.8, 0.5]: exactly-one-class outcomes 0.8*0.5 = 0.4, 0.5*0.2 = 0.1, none 0.2*0.5 = 0.1;
  // Z = 0.6, q = [2/3, 1/6, 1/6] (equivalently odds 4 : 1 : 1).
  EXPECT_THAT(
      ExclusiveClassDistribution(std::vector<float>{0.8f, 0.5f}),
      ElementsAre(DoubleNear(2.0 / 3, kTol), DoubleNear(1.0 / 6, kTol), DoubleNear(1.0 / 6, kTol)));
}

TEST(ExclusiveClassDistributionTest, ExtremesAreClampedAndFinite) {
  auto q = ExclusiveClassDistribution(std::vector<float>{1.0f, 0.0f, 1.0f});
  double total = 0;
  for (double x : q) {
    EXPECT_TRUE(std::isfinite(x));
    total += x;
  }
  EXPECT_NEAR(total, 1.0, 1e-12);
  EXPECT_NEAR(q[0], 0.5, 1e-5);  // the two certain classes share the mass
  EXPECT_NEAR(q[2], 0.5, 1e-5);
}

TEST(DetectionUncertaintyTest, HalfProbabilityIsMaximallyUncertain) {
  // K = 1, p = 0.5: q = [0.5, 0.5]. LC = (1 - 0.5) * 2 / 1 = 1; H = ln2 / ln2 = 1;
  // M = 1 - 0 = 1.
  UncertaintyParts u = ScoreDetection(Det(0.5f, {0.5f}));
  EXPECT_NEAR(u.least_confidence, 1.0, kTol);
  EXPECT_NEAR(u.entropy, 1.0, kTol);
  EXPECT_NEAR(u.margin, 1.0, kTol);
}

TEST(DetectionUncertaintyTest, ConfidentObjectByHand) {
  // K = 1, p = 0.9: q = [0.9, 0.1]. LC = 0.1 * 2 = 0.2;
  // H = -(0.9 ln 0.9 + 0.1 ln 0.1) / ln 2 = (0.0948245 + 0.2302585) / 0.6931472 = 0.4689956;
  // M = 1 - (0.9 - 0.1) = 0.2.
  UncertaintyParts u = ScoreDetection(Det(0.9f, {0.9f}));
  EXPECT_NEAR(u.least_confidence, 0.2, kTol);
  EXPECT_NEAR(u.entropy, 0.4689956, kTol);
  EXPECT_NEAR(u.margin, 0.2, kTol);
}

TEST(DetectionUncertaintyTest, ConfidentBackgroundIsNotUncertain) {
  // A detection barely above the score threshold: p = 0.06, q = [0.06, 0.94]. The background is
  // in q, so LC = 0.06 * 2 = 0.12 and M = 1 - 0.88 = 0.12, not the 0.94 that 1 - p would say.
  UncertaintyParts u = ScoreDetection(Det(0.06f, {0.06f}));
  EXPECT_NEAR(u.least_confidence, 0.12, kTol);
  EXPECT_NEAR(u.margin, 0.12, kTol);
}

TEST(DetectionUncertaintyTest, TwoClassesByHand) {
  // q = [2/3, 1/6, 1/6] (see above). LC = (1 - 2/3) * 3/2 = 0.5;
  // H = -(2/3 ln 2/3 + 2 * 1/6 ln 1/6) / ln 3 = (0.2703101 + 0.5972532) / 1.0986123 = 0.7896901;
  // M = 1 - (2/3 - 1/6) = 0.5.
  UncertaintyParts u = ScoreDetection(Det(0.8f, {0.8f, 0.5f}));
  EXPECT_NEAR(u.least_confidence, 0.5, kTol);
  EXPECT_NEAR(u.entropy, 0.7896901, kTol);
  EXPECT_NEAR(u.margin, 0.5, kTol);
  EXPECT_NEAR(u.Get(UncertaintyMeasure::kEntropy), 0.7896901, kTol);
}

TEST(DetectionUncertaintyTest, UniformOverManyClassesIsOne) {
  // All K+1 outcomes equal when every p_k = 0.5 (odds 1): every measure is 1.
  UncertaintyParts u = ScoreDetection(Det(0.5f, std::vector<float>(7, 0.5f)));
  EXPECT_NEAR(u.least_confidence, 1.0, kTol);
  EXPECT_NEAR(u.entropy, 1.0, kTol);
  EXPECT_NEAR(u.margin, 1.0, kTol);
}

TEST(DetectionUncertaintyTest, EmptyClassProbsFallBackToTheScore) {
  UncertaintyParts u = ScoreDetection(Det(0.9f, {}));
  EXPECT_NEAR(u.least_confidence, 0.2, kTol);
  EXPECT_NEAR(u.margin, 0.2, kTol);
}

TEST(DetectionUncertaintyTest, AllMeasuresStayInUnitInterval) {
  for (float a : {0.0f, 0.01f, 0.3f, 0.5f, 0.7f, 0.99f, 1.0f}) {
    for (float b : {0.0f, 0.2f, 0.5f, 0.95f, 1.0f}) {
      UncertaintyParts u = ScoreDetection(Det(a, {0.0f, a, b}));
      for (double v : {u.least_confidence, u.entropy, u.margin}) {
        EXPECT_GE(v, 0.0);
        EXPECT_LE(v, 1.0);
      }
    }
  }
}

TEST(AggregateScoresTest, ByHand) {
  const std::vector<double> s = {0.2, 0.5, 0.9};
  EXPECT_NEAR(AggregateScores(s, ScoreAggregation::kMax, 3), 0.9, kTol);
  EXPECT_NEAR(AggregateScores(s, ScoreAggregation::kMean, 3), 1.6 / 3, kTol);
  // 1 - exp(-1.6) = 0.7981035.
  EXPECT_NEAR(AggregateScores(s, ScoreAggregation::kSum, 3), 0.7981035, kTol);
  // Top 2: (0.9 + 0.5) / 2.
  EXPECT_NEAR(AggregateScores(s, ScoreAggregation::kTopKMean, 2), 0.7, kTol);
  // k beyond n: the mean of all.
  EXPECT_NEAR(AggregateScores(s, ScoreAggregation::kTopKMean, 10), 1.6 / 3, kTol);
}

TEST(AggregateScoresTest, SumRanksMoreUncertainObjectsHigherAndStaysBelowOne) {
  std::vector<double> few(2, 0.9), many(50, 0.9);
  EXPECT_LT(AggregateScores(few, ScoreAggregation::kSum, 1),
            AggregateScores(many, ScoreAggregation::kSum, 1));
  EXPECT_LE(AggregateScores(many, ScoreAggregation::kSum, 1), 1.0);
}

TEST(ImageUncertaintyTest, EmptyImageRule) {
  ImageUncertaintyOptions options;
  ImageUncertainty u = ScoreImageUncertainty({}, options);
  EXPECT_TRUE(u.empty);
  EXPECT_EQ(u.detections_used, 0);
  EXPECT_DOUBLE_EQ(u.score, 0.5);
  EXPECT_DOUBLE_EQ(u.parts.margin, 0.5);

  // Detections below min_detection_score do not count: still the empty rule, configured to 0.8.
  options.empty_image_uncertainty = 0.8;
  options.min_detection_score = 0.1;
  std::vector<ScoredDetection> weak = {Det(0.05f, {0.05f}), Det(0.09f, {0.5f})};
  u = ScoreImageUncertainty(weak, options);
  EXPECT_TRUE(u.empty);
  EXPECT_DOUBLE_EQ(u.score, 0.8);
}

TEST(ImageUncertaintyTest, AggregatesTheChosenMeasureAndReportsAllParts) {
  // Entropies 1 (p = 0.5) and 0.4689956 (p = 0.9); the p = 0.01 detection is below 0.05.
  std::vector<ScoredDetection> dets = {Det(0.5f, {0.5f}), Det(0.9f, {0.9f}), Det(0.01f, {0.5f})};
  ImageUncertaintyOptions options;
  options.measure = UncertaintyMeasure::kEntropy;
  options.aggregation = ScoreAggregation::kMean;
  ImageUncertainty u = ScoreImageUncertainty(dets, options);
  EXPECT_FALSE(u.empty);
  EXPECT_EQ(u.detections_used, 2);
  EXPECT_NEAR(u.score, (1.0 + 0.4689956) / 2, kTol);
  EXPECT_NEAR(u.parts.least_confidence, (1.0 + 0.2) / 2, kTol);
  EXPECT_NEAR(u.parts.margin, (1.0 + 0.2) / 2, kTol);

  options.measure = UncertaintyMeasure::kMargin;
  options.aggregation = ScoreAggregation::kMax;
  EXPECT_NEAR(ScoreImageUncertainty(dets, options).score, 1.0, kTol);
}

TEST(ParseTest, NamesRoundTripAndBadNamesAreErrors) {
  for (auto m : {UncertaintyMeasure::kLeastConfidence, UncertaintyMeasure::kEntropy,
                 UncertaintyMeasure::kMargin}) {
    EXPECT_EQ(*ParseUncertaintyMeasure(UncertaintyMeasureName(m)), m);
  }
  for (auto a : {ScoreAggregation::kMax, ScoreAggregation::kMean, ScoreAggregation::kSum,
                 ScoreAggregation::kTopKMean}) {
    EXPECT_EQ(*ParseScoreAggregation(ScoreAggregationName(a)), a);
  }
  EXPECT_FALSE(ParseUncertaintyMeasure("bald").ok());
  EXPECT_FALSE(ParseScoreAggregation("median").ok());
}

}  // namespace
}  // namespace labelloop
