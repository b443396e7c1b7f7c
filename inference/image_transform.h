#ifndef LABELLOOP_INFERENCE_IMAGE_TRANSFORM_H_
#define LABELLOOP_INFERENCE_IMAGE_TRANSFORM_H_

#include <torch/types.h>

#include <array>
#include <vector>

#include "inference/fcos_options.h"

namespace labelloop {

using ImageSize = std::array<int64_t, 2>;  // {height, width}

// A padded batch ready for the backbone.
struct ImageBatch {
  torch::Tensor tensors;                  // [N, 3, H, W], zero-padded to size_divisible
  std::vector<ImageSize> image_sizes;     // each image's size after resizing, before padding
  std::vector<ImageSize> original_sizes;  // each image's size as given
};

// torchvision's GeneralizedRCNNTransform for one fixed min_size: normalise, resize keeping the
// aspect ratio so the shorter side reaches min_size without the longer passing max_size
// (bilinear, the same output-size arithmetic as torchvision), batch with zero padding to a
// multiple of size_divisible; and the inverse box mapping for detections.
class ImageTransform {
 public:
  explicit ImageTransform(const FcosOptions& options);

  // Images are float [3, H, W] RGB in [0, 1]; all on one device.
  ImageBatch operator()(const std::vector<torch::Tensor>& images) const;

  // The size torchvision resizes an `original` image to.
  ImageSize ResizedSize(ImageSize original) const;
  torch::Tensor Normalize(const torch::Tensor& image) const;
  torch::Tensor Resize(const torch::Tensor& image) const;

  // Scales x1 y1 x2 y2 boxes from an image of size `from` to one of size `to` (torchvision's
  // resize_boxes, float32 ratios).
  static torch::Tensor ResizeBoxes(const torch::Tensor& boxes, ImageSize from, ImageSize to);

 private:
  FcosOptions options_;
};

}  // namespace labelloop

#endif  // LABELLOOP_INFERENCE_IMAGE_TRANSFORM_H_
