#include "inference/fcos_options.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "inference/fcos.h"

namespace labelloop {
namespace {

TEST(FcosOptionsTest, DefaultsAndTorchvisionSizeAreValid) {
  EXPECT_EQ(FcosOptionsError(FcosOptions{}), "");
  EXPECT_EQ(FcosOptionsError(FcosOptions::TorchvisionResnet50()), "");
}

TEST(FcosOptionsTest, ErrorsNameTheField) {
  FcosOptions options;
  options.fpn_channels = 48;
  EXPECT_EQ(FcosOptionsError(options).rfind("fpn_channels:", 0), 0u);
  options = FcosOptions{};
  options.backbone = "vgg16";
  EXPECT_EQ(FcosOptionsError(options).rfind("backbone:", 0), 0u);
  options = FcosOptions{};
  options.num_classes = 1;
  EXPECT_EQ(FcosOptionsError(options).rfind("num_classes:", 0), 0u);
  options = FcosOptions{};
  options.trainable_backbone_layers = 6;
  EXPECT_EQ(FcosOptionsError(options).rfind("trainable_backbone_layers:", 0), 0u);
}

TEST(FcosOptionsTest, ModelRefusesInvalidOptions) {
  FcosOptions options;
  options.fpn_channels = 40;
  EXPECT_THROW(Fcos{options}, c10::Error);
}

TEST(FcosOptionsTest, SmallModelRunsBothWays) {
  torch::manual_seed(0);
  FcosOptions options;
  options.min_size = 64;
  options.max_size = 96;
  options.score_thresh = 0.05;
  Fcos model(options);
  auto image = torch::rand({3, 50, 70});
  model->eval();
  auto detections = model->Detect({image});
  ASSERT_EQ(detections.size(), 1u);
  EXPECT_LE(detections[0].boxes.size(0), options.detections_per_img);
  if (detections[0].boxes.size(0) > 0) {
    EXPECT_LE(detections[0].boxes.select(1, 2).max().item<float>(), 70.f);
    EXPECT_LE(detections[0].boxes.select(1, 3).max().item<float>(), 50.f);
  }
  model->train();
  DetectionTarget target{torch::tensor({{5.f, 5.f, 40.f, 30.f}}),
                         torch::tensor({1}, torch::kInt64)};
  auto losses = model->Losses({image}, {target});
  EXPECT_TRUE(std::isfinite(losses.Total().item<double>()));
  DetectionTarget degenerate{torch::tensor({{5.f, 5.f, 5.f, 30.f}}),
                             torch::tensor({1}, torch::kInt64)};
  EXPECT_THROW(model->Losses({image}, {degenerate}), c10::Error);
  DetectionTarget bad_label{torch::tensor({{5.f, 5.f, 9.f, 30.f}}),
                            torch::tensor({2}, torch::kInt64)};
  EXPECT_THROW(model->Losses({image}, {bad_label}), c10::Error);
}

}  // namespace
}  // namespace labelloop
