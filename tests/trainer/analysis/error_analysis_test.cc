#include "trainer/error_analysis.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace labelloop {
namespace {

using ::testing::ElementsAre;

AnalysisBox Box(double x1, double y1, double x2, double y2, int64_t label, double score = 1) {
  return {x1, y1, x2, y2, label, score};
}

TEST(BoxIouTest, OverlapAndDisjoint) {
  EXPECT_DOUBLE_EQ(BoxIou(Box(0, 0, 10, 10, 1), Box(0, 0, 10, 10, 1)), 1.0);
  // 5x10 overlap of two 10x10 boxes: 50 / 150.
  EXPECT_DOUBLE_EQ(BoxIou(Box(0, 0, 10, 10, 1), Box(5, 0, 15, 10, 1)), 50.0 / 150.0);
  EXPECT_DOUBLE_EQ(BoxIou(Box(0, 0, 10, 10, 1), Box(20, 20, 30, 30, 1)), 0.0);
  EXPECT_DOUBLE_EQ(BoxIou(Box(0, 0, 0, 0, 1), Box(0, 0, 0, 0, 1)), 0.0);
}

// Two classes (1 = cat, 2 = dog); index 2 of the matrix is the background.
TEST(AnalyzeErrorsTest, CountsMatchesConfusionsFalsePositivesAndMisses) {
  std::vector<ValidationImage> images(3);
  images[0].image_id = 10;  // perfect: one cat found as cat
  images[0].truth = {Box(0, 0, 10, 10, 1)};
  images[0].predictions = {Box(0, 0, 10, 10, 1, 0.9)};
  images[1].image_id = 11;  // a dog called cat, a missed cat, a background dog
  images[1].truth = {Box(0, 0, 10, 10, 2), Box(50, 50, 60, 60, 1)};
  images[1].predictions = {Box(1, 1, 10, 10, 1, 0.8), Box(100, 100, 120, 120, 2, 0.7)};
  images[2].image_id = 12;  // a dog found, plus a low-score cat the threshold drops
  images[2].truth = {Box(0, 0, 10, 10, 2)};
  images[2].predictions = {Box(0, 0, 10, 10, 2, 0.6), Box(30, 30, 40, 40, 1, 0.1)};

  const ErrorAnalysis analysis = AnalyzeErrors(images, 2);
  ASSERT_EQ(analysis.confusion.size(), 3u);
  EXPECT_THAT(analysis.confusion[0], ElementsAre(1, 0, 1));  // cats: 1 right, 1 missed
  EXPECT_THAT(analysis.confusion[1], ElementsAre(1, 1, 0));  // dogs: 1 as cat, 1 right
  EXPECT_THAT(analysis.confusion[2], ElementsAre(0, 1, 0));  // 1 dog on background
  ASSERT_EQ(analysis.per_class.size(), 2u);
  EXPECT_EQ(analysis.per_class[0].true_positives, 1);
  EXPECT_EQ(analysis.per_class[0].false_positives, 1);  // the dog called cat
  EXPECT_EQ(analysis.per_class[0].misses, 1);
  EXPECT_EQ(analysis.per_class[1].true_positives, 1);
  EXPECT_EQ(analysis.per_class[1].false_positives, 1);  // on background
  EXPECT_EQ(analysis.per_class[1].misses, 1);           // called cat

  // Image 11: 0 right, 2 false positives, 2 misses: F1 0. Image 12: F1 1 (not hard).
  ASSERT_EQ(analysis.hardest.size(), 1u);
  EXPECT_EQ(analysis.hardest[0].image_id, 11);
  EXPECT_DOUBLE_EQ(analysis.hardest[0].f1, 0.0);
  EXPECT_EQ(analysis.hardest[0].false_positives, 2);
  EXPECT_EQ(analysis.hardest[0].misses, 2);
  EXPECT_DOUBLE_EQ(analysis.score_threshold, 0.3);
}

TEST(AnalyzeErrorsTest, HardestAreLowestF1FirstAndCapped) {
  std::vector<ValidationImage> images;
  for (int i = 0; i < 5; ++i) {
    ValidationImage image;
    image.image_id = i + 1;
    // Image i has one found box and i missed ones: F1 = 2 / (2 + i).
    image.truth.push_back(Box(0, 0, 10, 10, 1));
    image.predictions.push_back(Box(0, 0, 10, 10, 1, 0.9));
    for (int m = 0; m < i; ++m) image.truth.push_back(Box(100 + 20 * m, 0, 110 + 20 * m, 10, 1));
    images.push_back(image);
  }
  ErrorAnalysisOptions options;
  options.max_hard_images = 2;
  const ErrorAnalysis analysis = AnalyzeErrors(images, 1, options);
  ASSERT_EQ(analysis.hardest.size(), 2u);
  EXPECT_EQ(analysis.hardest[0].image_id, 5);
  EXPECT_DOUBLE_EQ(analysis.hardest[0].f1, 2.0 / 6.0);
  EXPECT_EQ(analysis.hardest[1].image_id, 4);
  EXPECT_EQ(analysis.per_class[0].misses, 0 + 1 + 2 + 3 + 4);
}

TEST(AnalyzeErrorsTest, OnePredictionMatchesOneBoxByHighestIou) {
  ValidationImage image;
  image.truth = {Box(0, 0, 10, 10, 1), Box(2, 0, 12, 10, 1)};
  // Two predictions over both boxes: each box gets one; the worse duplicate is not double counted.
  image.predictions = {Box(0, 0, 10, 10, 1, 0.9), Box(2, 0, 12, 10, 1, 0.8),
                       Box(1, 0, 11, 10, 1, 0.7)};
  const ErrorAnalysis analysis = AnalyzeErrors({image}, 1);
  EXPECT_THAT(analysis.confusion[0], ElementsAre(2, 0));
  EXPECT_THAT(analysis.confusion[1], ElementsAre(1, 0));
}

TEST(AnalyzeErrorsTest, EmptySplitAndOutOfRangeLabels) {
  ValidationImage image;
  image.truth = {Box(0, 0, 10, 10, 7)};
  image.predictions = {Box(0, 0, 10, 10, 0, 0.9)};
  const ErrorAnalysis analysis = AnalyzeErrors({image}, 1);
  EXPECT_THAT(analysis.confusion[0], ElementsAre(0, 0));
  EXPECT_THAT(analysis.confusion[1], ElementsAre(0, 0));
  EXPECT_TRUE(analysis.hardest.empty());
  EXPECT_FALSE(AnalyzeErrors({}, 3).empty());
}

}  // namespace
}  // namespace labelloop
