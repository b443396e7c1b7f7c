#include "sampler/sampler_options.h"

#include "gtest/gtest.h"

namespace labelloop {
namespace {

TEST(SamplerOptionsTest, DefaultsAreHybridEntropyMax) {
  auto options = SamplerOptionsFromConfig(v1::SamplerConfig());
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->selection.strategy, SamplingStrategy::kHybrid);
  EXPECT_EQ(options->uncertainty.measure, UncertaintyMeasure::kEntropy);
  EXPECT_EQ(options->uncertainty.aggregation, ScoreAggregation::kMax);
  EXPECT_EQ(options->uncertainty.topk, 3);
  EXPECT_FLOAT_EQ(options->uncertainty.empty_image_uncertainty, 0.5);
  EXPECT_FLOAT_EQ(options->uncertainty.min_detection_score, 0.05);
  EXPECT_EQ(options->selection.candidate_factor, 5);
  EXPECT_FLOAT_EQ(options->selection.random_share, 0.1);
  EXPECT_EQ(options->rescore_batch, 16);
}

TEST(SamplerOptionsTest, StrategyChoosesTheMeasure) {
  v1::SamplerConfig config;
  config.set_strategy("margin");
  config.set_aggregation("topk");
  config.set_topk(5);
  auto options = SamplerOptionsFromConfig(config);
  ASSERT_TRUE(options.ok());
  EXPECT_EQ(options->uncertainty.measure, UncertaintyMeasure::kMargin);
  EXPECT_EQ(options->uncertainty.aggregation, ScoreAggregation::kTopKMean);
  EXPECT_EQ(options->uncertainty.topk, 5);
  config.set_strategy("least_confidence");
  EXPECT_EQ(SamplerOptionsFromConfig(config)->uncertainty.measure,
            UncertaintyMeasure::kLeastConfidence);
}

TEST(SamplerOptionsTest, HybridUncertaintyChoosesWhatRanksTheCandidates) {
  v1::SamplerConfig config;
  auto options = SamplerOptionsFromConfig(config);
  ASSERT_TRUE(options.ok());
  EXPECT_FALSE(options->rank_by_tta);
  EXPECT_FALSE(options->scorer.flip_view);  // no views to pay for by default

  config.set_hybrid_uncertainty("margin");
  options = SamplerOptionsFromConfig(config);
  ASSERT_TRUE(options.ok());
  EXPECT_EQ(options->uncertainty.measure, UncertaintyMeasure::kMargin);
  EXPECT_FALSE(options->rank_by_tta);

  config.set_hybrid_uncertainty("tta");
  options = SamplerOptionsFromConfig(config);
  ASSERT_TRUE(options.ok());
  EXPECT_EQ(options->selection.strategy, SamplingStrategy::kHybrid);  // still k-center + random
  EXPECT_TRUE(options->rank_by_tta);
  EXPECT_TRUE(options->scorer.flip_view);
  EXPECT_GT(options->scorer.rescale_factor, 0.0);

  config.set_strategy("tta");
  config.clear_hybrid_uncertainty();
  options = SamplerOptionsFromConfig(config);
  ASSERT_TRUE(options.ok());
  EXPECT_TRUE(options->rank_by_tta);
}

TEST(SamplerOptionsTest, HybridUncertaintyIsRefusedWhereItMeansNothing) {
  v1::SamplerConfig config;
  config.set_hybrid_uncertainty("bald");
  auto options = SamplerOptionsFromConfig(config);
  EXPECT_EQ(options.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(options.status().message().find("bald"), absl::string_view::npos);
  // A single-criterion strategy ranks by its own measure; a hybrid setting there would be
  // silently ignored, so it is an error instead.
  config.set_strategy("entropy");
  config.set_hybrid_uncertainty("tta");
  options = SamplerOptionsFromConfig(config);
  EXPECT_EQ(options.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(options.status().message().find("hybrid strategy"), absl::string_view::npos);
}

TEST(SamplerOptionsTest, UnknownNamesAreErrors) {
  v1::SamplerConfig config;
  config.set_strategy("badge");
  EXPECT_FALSE(SamplerOptionsFromConfig(config).ok());
  config.set_strategy("hybrid");
  config.set_aggregation("median");
  EXPECT_FALSE(SamplerOptionsFromConfig(config).ok());
}

}  // namespace
}  // namespace labelloop
