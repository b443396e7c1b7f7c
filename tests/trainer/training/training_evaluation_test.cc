#include "trainer/training_evaluation.h"

#include "gtest/gtest.h"

namespace labelloop {
namespace {

const std::vector<std::string> kClasses = {"cell", "dot", "unused"};

TEST(TrainingEvaluationTest, PerfectDetectionsScoreOne) {
  const std::vector<std::vector<TrainingBox>> truth = {{{10, 10, 60, 60, 1}, {100, 20, 140, 90, 2}},
                                                       {{5, 5, 300, 200, 1}}};
  std::vector<std::vector<ScoredBox>> detections(2);
  for (size_t i = 0; i < truth.size(); ++i) {
    for (const TrainingBox& box : truth[i]) detections[i].push_back({box, 0.9f});
  }
  const ModelVersionMetrics m = EvaluateValidation(truth, detections, kClasses);
  EXPECT_DOUBLE_EQ(m.map, 1.0);
  EXPECT_DOUBLE_EQ(m.map50, 1.0);
  EXPECT_EQ(m.val_images, 2);
  ASSERT_EQ(m.per_class.size(), 3u);
  EXPECT_EQ(m.per_class[0].class_name, "cell");
  EXPECT_DOUBLE_EQ(m.per_class[0].ap, 1.0);
  EXPECT_DOUBLE_EQ(m.per_class[2].ap, -1);  // no ground truth: not counted
}

TEST(TrainingEvaluationTest, WrongClassOrNothingScoresZero) {
  const std::vector<std::vector<TrainingBox>> truth = {{{10, 10, 60, 60, 1}}};
  EXPECT_DOUBLE_EQ(EvaluateValidation(truth, {{}}, kClasses).map, 0.0);
  EXPECT_DOUBLE_EQ(EvaluateValidation(truth, {{{{10, 10, 60, 60, 2}, 0.9f}}}, kClasses).map, 0.0);
}

TEST(TrainingEvaluationTest, HalfOverlapCountsOnlyAtLowThresholds) {
  // IoU of [0,0,100,100] with [0,0,100,60] is 0.6: a hit at .5, .55 and .6 (pycocotools matches
  // IoU >= threshold), a miss from .65 on.
  const std::vector<std::vector<TrainingBox>> truth = {{{0, 0, 100, 100, 1}}};
  const ModelVersionMetrics m = EvaluateValidation(truth, {{{{0, 0, 100, 60, 1}, 0.8f}}}, kClasses);
  EXPECT_DOUBLE_EQ(m.map50, 1.0);
  EXPECT_NEAR(m.map, 0.3, 1e-9);
}

}  // namespace
}  // namespace labelloop
