// The analysis travels with a version: metadata.json round trip and the API's ModelMetrics.

#include "trainer/error_analysis_json.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "trainer/model_version.h"

namespace labelloop {
namespace {

using ::testing::ElementsAre;

ModelVersionInfo InfoWithAnalysis() {
  ModelVersionInfo info;
  info.version = "v3";
  info.class_names = {"cat", "dog"};
  info.metrics.map = 0.4;
  info.metrics.per_class = {{"cat", 0.5, 0.7}, {"dog", 0.3, 0.6}};
  info.metrics.analysis.score_threshold = 0.3;
  info.metrics.analysis.iou_threshold = 0.5;
  info.metrics.analysis.confusion = {{4, 1, 2}, {0, 3, 1}, {5, 0, 0}};
  info.metrics.analysis.per_class = {{4, 5, 3}, {3, 1, 1}};
  info.metrics.analysis.hardest = {{17, 0.25, 1, 3, 3}, {9, 0.5, 2, 2, 2}};
  info.metrics.autolabel = {true, 0.95, 0.82, 0.96, 25, 0.6, 40, ""};
  return info;
}

TEST(ErrorAnalysisJsonTest, SurvivesTheMetadataRoundTrip) {
  const ModelVersionInfo info = InfoWithAnalysis();
  absl::StatusOr<ModelVersionInfo> back = ModelVersionFromJson(ModelVersionToJson(info));
  ASSERT_TRUE(back.ok()) << back.status();
  const ErrorAnalysis& a = back->metrics.analysis;
  EXPECT_EQ(a.confusion, info.metrics.analysis.confusion);
  ASSERT_EQ(a.per_class.size(), 2u);
  EXPECT_EQ(a.per_class[0].false_positives, 5);
  ASSERT_EQ(a.hardest.size(), 2u);
  EXPECT_EQ(a.hardest[0].image_id, 17);
  EXPECT_DOUBLE_EQ(a.hardest[0].f1, 0.25);
  EXPECT_TRUE(back->metrics.autolabel.found);
  EXPECT_DOUBLE_EQ(back->metrics.autolabel.threshold, 0.82);
  EXPECT_EQ(back->metrics.autolabel.support, 25);
  EXPECT_EQ(back->metrics.autolabel.predictions, 40);
}

TEST(ErrorAnalysisJsonTest, OlderMetadataHasNoAnalysis) {
  absl::StatusOr<ModelVersionInfo> old =
      ModelVersionFromJson(R"({"version": "v1", "metrics": {"map": 0.2}})");
  ASSERT_TRUE(old.ok()) << old.status();
  EXPECT_TRUE(old->metrics.analysis.empty());
  EXPECT_FALSE(old->metrics.autolabel.found);
  const v1::ModelMetrics proto = ToModelMetricsProto(*old);
  EXPECT_FALSE(proto.has_confusion());
  EXPECT_FALSE(proto.has_autolabel());
}

TEST(ErrorAnalysisJsonTest, FillsTheApiMetrics) {
  const v1::ModelMetrics proto = ToModelMetricsProto(InfoWithAnalysis());
  EXPECT_THAT(proto.confusion().labels(), ElementsAre("cat", "dog", "background"));
  EXPECT_THAT(proto.confusion().counts(), ElementsAre(4, 1, 2, 0, 3, 1, 5, 0, 0));
  EXPECT_DOUBLE_EQ(proto.confusion().score_threshold(), 0.3);
  ASSERT_EQ(proto.per_class_size(), 2);
  EXPECT_EQ(proto.per_class(0).true_positives(), 4);
  EXPECT_EQ(proto.per_class(0).false_positives(), 5);
  EXPECT_EQ(proto.per_class(1).misses(), 1);
  ASSERT_EQ(proto.hardest_images_size(), 2);
  EXPECT_EQ(proto.hardest_images(0).image_id(), 17);
  EXPECT_EQ(proto.hardest_images(1).misses(), 2);
  EXPECT_TRUE(proto.autolabel().found());
  EXPECT_DOUBLE_EQ(proto.autolabel().target_precision(), 0.95);
  EXPECT_DOUBLE_EQ(proto.autolabel().recall(), 0.6);
}

}  // namespace
}  // namespace labelloop
