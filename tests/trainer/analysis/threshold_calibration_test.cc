#include "trainer/threshold_calibration.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace labelloop {
namespace {

using ::testing::HasSubstr;

std::vector<ScoredOutcome> Outcomes(const std::vector<std::pair<double, bool>>& values) {
  std::vector<ScoredOutcome> out;
  for (const auto& [score, correct] : values) out.push_back({score, correct});
  return out;
}

CalibrationOptions Options(double target, int64_t support) {
  CalibrationOptions options;
  options.target_precision = target;
  options.min_support = support;
  return options;
}

TEST(CalibrateThresholdTest, LowestThresholdReachingTheTarget) {
  // By score: 0.9 T, 0.8 T, 0.7 F, 0.6 T, 0.5 T, 0.4 F, 0.3 F.
  // Precision at each cut: 1, 1, .667, .75, .8, .667, .571.
  const auto outcomes = Outcomes({{0.5, true},
                                  {0.9, true},
                                  {0.3, false},
                                  {0.7, false},
                                  {0.8, true},
                                  {0.6, true},
                                  {0.4, false}});
  CalibratedThreshold c = CalibrateThreshold(outcomes, 5, Options(0.75, 1));
  ASSERT_TRUE(c.found);
  EXPECT_DOUBLE_EQ(c.threshold, 0.5);  // 4 of 5 = 0.8; lower cuts fall below 0.75
  EXPECT_DOUBLE_EQ(c.precision, 0.8);
  EXPECT_EQ(c.support, 5);
  EXPECT_DOUBLE_EQ(c.recall, 4.0 / 5.0);
  EXPECT_DOUBLE_EQ(c.target_precision, 0.75);

  c = CalibrateThreshold(outcomes, 5, Options(0.95, 1));
  ASSERT_TRUE(c.found);
  EXPECT_DOUBLE_EQ(c.threshold, 0.8);
  EXPECT_EQ(c.support, 2);
  EXPECT_DOUBLE_EQ(c.precision, 1.0);
}

TEST(CalibrateThresholdTest, MinimumSupportRefusesLuckyFewPredictions) {
  const auto outcomes = Outcomes({{0.9, true}, {0.8, true}, {0.7, false}, {0.6, false}});
  EXPECT_TRUE(CalibrateThreshold(outcomes, 4, Options(0.95, 2)).found);
  const CalibratedThreshold c = CalibrateThreshold(outcomes, 4, Options(0.95, 3));
  EXPECT_FALSE(c.found);
  EXPECT_DOUBLE_EQ(c.target_precision, 0.95);
  EXPECT_EQ(c.predictions, 4);
  // Three or more predictions reach at most 2 of 3.
  EXPECT_THAT(c.reason, HasSubstr("target precision 0.950 not reached: at most 0.667"));
}

TEST(CalibrateThresholdTest, TooFewPredictionsIsThinEvidence) {
  // Perfect, but three predictions cannot vouch for a threshold that needs 20.
  const auto outcomes = Outcomes({{0.9, true}, {0.8, true}, {0.7, true}});
  const CalibratedThreshold c = CalibrateThreshold(outcomes, 3, Options(0.95, 20));
  EXPECT_FALSE(c.found);
  EXPECT_EQ(c.predictions, 3);
  EXPECT_THAT(c.reason, HasSubstr("too little evidence: 3 validation predictions"));
  EXPECT_TRUE(CalibrateThreshold(outcomes, 3, Options(0.95, 3)).reason.empty());
}

TEST(CalibrateThresholdTest, AllTiedScoresAreOneCut) {
  // Twenty predictions with one score: the only cut takes all of them, 19 of 20 right.
  std::vector<std::pair<double, bool>> values(20, {0.7, true});
  values[3].second = false;
  const auto outcomes = Outcomes(values);
  CalibratedThreshold c = CalibrateThreshold(outcomes, 20, Options(0.95, 20));
  ASSERT_TRUE(c.found);
  EXPECT_DOUBLE_EQ(c.threshold, 0.7);
  EXPECT_EQ(c.support, 20);
  EXPECT_DOUBLE_EQ(c.precision, 0.95);
  EXPECT_DOUBLE_EQ(c.recall, 19.0 / 20.0);
  c = CalibrateThreshold(outcomes, 20, Options(0.96, 1));
  EXPECT_FALSE(c.found);
  EXPECT_THAT(c.reason, HasSubstr("at most 0.950"));
}

TEST(CalibrateThresholdTest, EqualScoresAreKeptOrDroppedTogether) {
  // At 0.8 the cut would take one true and one false: 2/3 for all of 0.9, 0.8, 0.8.
  const auto outcomes = Outcomes({{0.9, true}, {0.8, true}, {0.8, false}});
  const CalibratedThreshold c = CalibrateThreshold(outcomes, 3, Options(0.9, 1));
  ASSERT_TRUE(c.found);
  EXPECT_DOUBLE_EQ(c.threshold, 0.9);
  EXPECT_EQ(c.support, 1);
}

TEST(CalibrateThresholdTest, NothingToCalibrateOn) {
  EXPECT_FALSE(CalibrateThreshold({}, 0, Options(0.5, 1)).found);
  const CalibratedThreshold c =
      CalibrateThreshold(Outcomes({{0.9, false}, {0.2, false}}), 3, Options(0.5, 1));
  EXPECT_FALSE(c.found);
}

AnalysisBox Box(double x1, double y1, double x2, double y2, int64_t label, double score = 1) {
  return {x1, y1, x2, y2, label, score};
}

TEST(MatchPredictionsTest, PerClassGreedyByScore) {
  ValidationImage image;
  image.truth = {Box(0, 0, 10, 10, 1), Box(50, 50, 60, 60, 2)};
  image.predictions = {
      Box(0, 0, 10, 10, 1, 0.5),    // lower score: the box is already taken
      Box(0, 0, 10, 9, 1, 0.9),     // takes the cat (IoU 0.9)
      Box(50, 50, 60, 60, 1, 0.8),  // right place, wrong class
      Box(50, 50, 60, 60, 2, 0.4),  // the dog
  };
  int64_t boxes = 0;
  const std::vector<ScoredOutcome> outcomes = MatchPredictions({image}, 2, 0.5, &boxes);
  EXPECT_EQ(boxes, 2);
  ASSERT_EQ(outcomes.size(), 4u);
  int correct = 0;
  for (const ScoredOutcome& o : outcomes) {
    if (o.correct) {
      ++correct;
      EXPECT_TRUE(o.score == 0.9 || o.score == 0.4) << o.score;
    }
  }
  EXPECT_EQ(correct, 2);
  // Calibrated on them: 0.9 T, 0.8 F, 0.5 F, 0.4 T; only the top cut is precise.
  const CalibratedThreshold c = CalibrateThreshold(outcomes, boxes, Options(0.95, 1));
  ASSERT_TRUE(c.found);
  EXPECT_DOUBLE_EQ(c.threshold, 0.9);
  EXPECT_DOUBLE_EQ(c.recall, 0.5);
}

}  // namespace
}  // namespace labelloop
