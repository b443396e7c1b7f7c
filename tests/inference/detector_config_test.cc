#include "inference/detector_config.h"

#include <gtest/gtest.h>

namespace labelloop {
namespace {

TEST(DetectorConfigTest, DefaultsGiveTheSmallDetector) {
  v1::DetectorConfig config;
  auto options = FcosOptionsFromConfig(config, 3);
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->backbone, "resnet18");
  EXPECT_EQ(options->num_classes, 4);
  EXPECT_EQ(options->fpn_channels, 64);
  EXPECT_EQ(options->head_convs, 2);
  EXPECT_EQ(options->min_size, 320);
  EXPECT_EQ(options->max_size, 512);
  EXPECT_FLOAT_EQ(options->score_thresh, 0.2);
  EXPECT_DOUBLE_EQ(options->image_mean[0], 0.485);
}

TEST(DetectorConfigTest, CopiesEveryField) {
  v1::DetectorConfig config;
  config.set_backbone("resnet50");
  config.set_fpn_channels(256);
  config.set_head_convs(4);
  config.set_min_size(800);
  config.set_max_size(1333);
  config.set_num_classes(91);
  config.set_trainable_backbone_layers(5);
  config.add_image_mean(0.5f);
  config.add_image_mean(0.5f);
  config.add_image_mean(0.5f);
  auto options = FcosOptionsFromConfig(config, -1);
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->backbone, "resnet50");
  EXPECT_EQ(options->num_classes, 91);
  EXPECT_EQ(options->trainable_backbone_layers, 5);
  EXPECT_DOUBLE_EQ(options->image_mean[1], 0.5);
}

TEST(DetectorConfigTest, ErrorsNameTheField) {
  auto error_of = [](const v1::DetectorConfig& config, int64_t classes) {
    auto options = FcosOptionsFromConfig(config, classes);
    EXPECT_FALSE(options.ok());
    EXPECT_EQ(options.status().code(), absl::StatusCode::kInvalidArgument);
    return std::string(options.status().message());
  };
  v1::DetectorConfig config;
  config.set_fpn_channels(100);
  EXPECT_EQ(error_of(config, 3).rfind("DetectorConfig.fpn_channels:", 0), 0u);
  config = v1::DetectorConfig();
  config.set_backbone("resnet101");
  EXPECT_EQ(error_of(config, 3).rfind("DetectorConfig.backbone:", 0), 0u);
  config = v1::DetectorConfig();
  config.add_image_std(0.2f);
  EXPECT_EQ(error_of(config, 3).rfind("DetectorConfig.image_std:", 0), 0u);
  config = v1::DetectorConfig();
  EXPECT_EQ(error_of(config, 0).rfind("DetectorConfig.num_classes:", 0), 0u);
  config.set_num_classes(5);
  EXPECT_EQ(error_of(config, 3).rfind("DetectorConfig.num_classes:", 0), 0u);
}

}  // namespace
}  // namespace labelloop
