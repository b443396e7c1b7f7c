#include "sampler/image_score.h"

#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace labelloop {
namespace {

using ::testing::ElementsAre;

ScoredDetection Det(BoxXyxy box, float score, int64_t label, std::vector<float> class_probs) {
  ScoredDetection d;
  d.box = box;
  d.score = score;
  d.label = label;
  d.class_probs = std::move(class_probs);
  return d;
}

SamplerOptions OptionsFor(const char* strategy) {
  v1::SamplerConfig config;
  config.set_strategy(strategy);
  return *SamplerOptionsFromConfig(config);
}

TEST(ScoreImageTest, EntropyStrategyIgnoresViewsButReportsThem) {
  // Two classes; one detection with p = [0.5, 0.2]: odds 1 : 0.25 : 1 (background),
  // q = [0.4444, 0.1111, 0.4444]; entropy = -(2 * 0.4444 ln 0.4444 + 0.1111 ln 0.1111) / ln 3
  // = (0.7208 + 0.2441) / 1.0986 = 0.8783.
  std::vector<ScoredDetection> dets = {Det({0, 0, 10, 10}, 0.5f, 1, {0.5f, 0.2f}),
                                       Det({20, 20, 30, 30}, 0.01f, 2, {0.01f, 0.01f})};
  ImageScore s = ScoreImage(dets, {{}}, OptionsFor("entropy"));
  EXPECT_NEAR(s.uncertainty, 0.8783, 1e-4);
  EXPECT_THAT(s.predicted_classes, ElementsAre(1));              // the 0.01 detection is below 0.05
  dets.push_back(Det({40, 40, 50, 50}, 0.9f, 0, {0.1f, 0.1f}));  // background slot: not a class
  dets.push_back(Det({60, 60, 70, 70}, 0.9f, 2, {0.1f, 0.9f}));
  dets.push_back(Det({80, 80, 90, 90}, 0.8f, 1, {0.8f, 0.1f}));
  EXPECT_THAT(ScoreImage(dets, {}, OptionsFor("entropy")).predicted_classes, ElementsAre(1, 2));
  ASSERT_TRUE(s.tta.has_value());
  EXPECT_NEAR(s.tta->score, 1.0, 1e-9);  // the one view saw nothing
}

TEST(ScoreImageTest, TtaStrategyRanksByConsistency) {
  SamplerOptions options = OptionsFor("tta");
  EXPECT_TRUE(options.scorer.flip_view);
  EXPECT_GT(options.scorer.rescale_factor, 0.0);
  std::vector<ScoredDetection> dets = {Det({0, 0, 10, 10}, 0.8f, 1, {})};
  // View identical to the original: 0; a view with nothing: 1; mean 0.5.
  ImageScore s = ScoreImage(dets, {dets, {}}, options);
  EXPECT_NEAR(s.uncertainty, 0.5, 1e-9);
  // Nothing detected anywhere: the empty-image rule.
  EXPECT_DOUBLE_EQ(ScoreImage({}, {{}, {}}, options).uncertainty, 0.5);
  // No views: falls back to the detection uncertainty.
  EXPECT_DOUBLE_EQ(ScoreImage(dets, {}, options).uncertainty,
                   ScoreImage(dets, {}, options).detection_uncertainty.score);
}

TEST(ScoreImageTest, HybridRankedByTtaRanksByConsistency) {
  v1::SamplerConfig config;
  config.set_hybrid_uncertainty("tta");
  SamplerOptions options = *SamplerOptionsFromConfig(config);
  std::vector<ScoredDetection> dets = {Det({0, 0, 10, 10}, 0.8f, 1, {})};
  ImageScore s = ScoreImage(dets, {dets, {}}, options);
  EXPECT_NEAR(s.uncertainty, 0.5, 1e-9);  // as under the tta strategy
  EXPECT_NE(s.uncertainty, s.detection_uncertainty.score);
  // The default hybrid scores the same views (when given) but ranks by entropy.
  ImageScore by_entropy = ScoreImage(dets, {dets, {}}, OptionsFor("hybrid"));
  EXPECT_DOUBLE_EQ(by_entropy.uncertainty, by_entropy.detection_uncertainty.score);
}

TEST(ScoreImageTest, OtherStrategiesDoNotAskForViews) {
  for (const char* strategy : {"hybrid", "random", "entropy", "margin", "least_confidence"}) {
    SamplerOptions options = OptionsFor(strategy);
    EXPECT_FALSE(options.scorer.flip_view) << strategy;
    EXPECT_EQ(options.scorer.rescale_factor, 0.0) << strategy;
    EXPECT_FLOAT_EQ(options.scorer.score_thresh, 0.05) << strategy;
  }
}

}  // namespace
}  // namespace labelloop
