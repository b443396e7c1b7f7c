#include "inference/image_transform.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>

namespace labelloop {

ImageTransform::ImageTransform(const FcosOptions& options) : options_(options) {}

ImageSize ImageTransform::ResizedSize(ImageSize original) const {
  // torchvision computes `float / float32 tensor`, which PyTorch evaluates as
  // reciprocal(tensor) * float in float32 (not a division: 800/480 differs in the last bit), takes
  // .item() (float32 widened to double), then interpolate(recompute_scale_factor=True) floors
  // input_size * scale in double. Every step is reproduced so sizes agree exactly.
  const float min_side = static_cast<float>(std::min(original[0], original[1]));
  const float max_side = static_cast<float>(std::max(original[0], original[1]));
  const float scale = std::min((1.0f / min_side) * static_cast<float>(options_.min_size),
                               (1.0f / max_side) * static_cast<float>(options_.max_size));
  const double s = static_cast<double>(scale);
  return {static_cast<int64_t>(std::floor(static_cast<double>(original[0]) * s)),
          static_cast<int64_t>(std::floor(static_cast<double>(original[1]) * s))};
}

torch::Tensor ImageTransform::Normalize(const torch::Tensor& image) const {
  TORCH_CHECK(image.is_floating_point(), "images must be float in [0, 1], got ", image.dtype());
  auto tensor_options = torch::TensorOptions().dtype(image.dtype()).device(image.device());
  auto mean = torch::tensor(
      {options_.image_mean[0], options_.image_mean[1], options_.image_mean[2]}, tensor_options);
  auto std = torch::tensor({options_.image_std[0], options_.image_std[1], options_.image_std[2]},
                           tensor_options);
  return (image - mean.view({-1, 1, 1})) / std.view({-1, 1, 1});
}

torch::Tensor ImageTransform::Resize(const torch::Tensor& image) const {
  const ImageSize size = ResizedSize({image.size(-2), image.size(-1)});
  return at::upsample_bilinear2d(image.unsqueeze(0), {size[0], size[1]},
                                 /*align_corners=*/false)
      .squeeze(0);
}

ImageBatch ImageTransform::operator()(const std::vector<torch::Tensor>& images) const {
  TORCH_CHECK(!images.empty(), "no images to batch");
  ImageBatch batch;
  std::vector<torch::Tensor> resized;
  resized.reserve(images.size());
  int64_t max_h = 0, max_w = 0;
  for (const auto& image : images) {
    TORCH_CHECK(image.dim() == 3 && image.size(0) == 3, "images must be [3, H, W] tensors, got ",
                image.sizes());
    batch.original_sizes.push_back({image.size(1), image.size(2)});
    resized.push_back(Resize(Normalize(image)));
    batch.image_sizes.push_back({resized.back().size(1), resized.back().size(2)});
    max_h = std::max(max_h, resized.back().size(1));
    max_w = std::max(max_w, resized.back().size(2));
  }
  const double stride = static_cast<double>(options_.size_divisible);
  const int64_t pad_h = static_cast<int64_t>(std::ceil(max_h / stride) * stride);
  const int64_t pad_w = static_cast<int64_t>(std::ceil(max_w / stride) * stride);
  batch.tensors = torch::zeros({static_cast<int64_t>(images.size()), 3, pad_h, pad_w},
                               resized.front().options());
  for (size_t i = 0; i < resized.size(); ++i) {
    batch.tensors[i]
        .narrow(1, 0, resized[i].size(1))
        .narrow(2, 0, resized[i].size(2))
        .copy_(resized[i]);
  }
  return batch;
}

torch::Tensor ImageTransform::ResizeBoxes(const torch::Tensor& boxes, ImageSize from,
                                          ImageSize to) {
  const float ratio_h = static_cast<float>(to[0]) / static_cast<float>(from[0]);
  const float ratio_w = static_cast<float>(to[1]) / static_cast<float>(from[1]);
  auto ratios = torch::tensor({ratio_w, ratio_h, ratio_w, ratio_h},
                              torch::TensorOptions().dtype(torch::kFloat32).device(boxes.device()));
  return boxes * ratios.to(boxes.dtype());
}

}  // namespace labelloop
