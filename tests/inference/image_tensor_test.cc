#include "inference/image_tensor.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <opencv2/core.hpp>

namespace labelloop {
namespace {

TEST(ImageTensorTest, BgrBecomesRgbChwInUnitRange) {
  cv::Mat image(2, 3, CV_8UC3, cv::Scalar(255, 0, 51));  // B=255, G=0, R=51
  auto t = MatToRgbTensor(image);
  ASSERT_EQ(t.sizes(), (torch::IntArrayRef{3, 2, 3}));
  EXPECT_EQ(t.dtype(), torch::kFloat32);
  EXPECT_FLOAT_EQ(t[0][1][2].item<float>(), 51.f / 255);
  EXPECT_FLOAT_EQ(t[1][0][0].item<float>(), 0.f);
  EXPECT_FLOAT_EQ(t[2][1][1].item<float>(), 1.f);
}

TEST(ImageTensorTest, GrayIsReplicated) {
  cv::Mat image(4, 4, CV_8UC1, cv::Scalar(128));
  auto t = MatToRgbTensor(image);
  ASSERT_EQ(t.size(0), 3);
  EXPECT_TRUE(torch::all(t == 128.f / 255).item<bool>());
}

TEST(ImageTensorTest, RefusesOtherDepths) {
  EXPECT_THROW(MatToRgbTensor(cv::Mat(2, 2, CV_32FC3)), c10::Error);
  EXPECT_THROW(MatToRgbTensor(cv::Mat()), c10::Error);
}

}  // namespace
}  // namespace labelloop
