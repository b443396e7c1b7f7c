#include "inference/image_transform.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

namespace labelloop {
namespace {

TEST(ImageTransformTest, ResizesLikeTorchvision) {
  ImageTransform transform(FcosOptions{});  // 320 / 512
  EXPECT_EQ(transform.ResizedSize({480, 640}), (ImageSize{320, 426}));
  EXPECT_EQ(transform.ResizedSize({100, 1000}), (ImageSize{51, 512}));
  ImageTransform large(FcosOptions::TorchvisionResnet50());
  EXPECT_EQ(large.ResizedSize({480, 640}), (ImageSize{800, 1066}));
}

TEST(ImageTransformTest, BatchesWithZeroPaddingToMultipleOf32) {
  ImageTransform transform(FcosOptions{});
  auto batch = transform({torch::rand({3, 480, 640}), torch::rand({3, 300, 300})});
  EXPECT_EQ(batch.tensors.sizes(), (torch::IntArrayRef{2, 3, 320, 448}));
  EXPECT_EQ(batch.image_sizes[0], (ImageSize{320, 426}));
  EXPECT_EQ(batch.image_sizes[1], (ImageSize{320, 320}));
  EXPECT_EQ(batch.original_sizes[1], (ImageSize{300, 300}));
  EXPECT_EQ(batch.tensors[1].slice(2, 320).abs().sum().item<float>(), 0.f);
}

TEST(ImageTransformTest, ResizeBoxesScalesEachAxis) {
  auto boxes = torch::tensor({{10.f, 20.f, 30.f, 40.f}});
  auto out = ImageTransform::ResizeBoxes(boxes, {100, 200}, {50, 400});
  EXPECT_TRUE(torch::allclose(out, torch::tensor({{20.f, 10.f, 60.f, 20.f}})));
}

}  // namespace
}  // namespace labelloop
