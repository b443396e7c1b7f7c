#include "inference/image_tensor.h"

#include <torch/torch.h>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

namespace labelloop {

torch::Tensor MatToRgbTensor(const cv::Mat& image) {
  TORCH_CHECK(!image.empty(), "empty image");
  TORCH_CHECK(image.depth() == CV_8U, "expected an 8-bit image, got OpenCV depth ", image.depth());
  cv::Mat rgb;
  switch (image.channels()) {
    case 1:
      cv::cvtColor(image, rgb, cv::COLOR_GRAY2RGB);
      break;
    case 3:
      cv::cvtColor(image, rgb, cv::COLOR_BGR2RGB);
      break;
    case 4:
      cv::cvtColor(image, rgb, cv::COLOR_BGRA2RGB);
      break;
    default:
      TORCH_CHECK(false, "expected 1, 3 or 4 channels, got ", image.channels());
  }
  // cvtColor's output is a fresh continuous buffer; the float conversion copies out of it.
  auto hwc = torch::from_blob(rgb.data, {rgb.rows, rgb.cols, 3}, torch::kUInt8);
  return hwc.permute({2, 0, 1}).to(torch::kFloat32).div_(255).contiguous();
}

}  // namespace labelloop
