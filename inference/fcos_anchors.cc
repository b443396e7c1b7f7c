#include "inference/fcos_anchors.h"

#include <torch/torch.h>

#include <cmath>

namespace labelloop {

FcosAnchors MakeFcosAnchors(int64_t batch_height, int64_t batch_width,
                            const std::vector<torch::Tensor>& features) {
  static constexpr int64_t kSizes[] = {8, 16, 32, 64, 128};
  TORCH_CHECK(features.size() == 5, "FCOS expects 5 pyramid levels, got ", features.size());
  FcosAnchors anchors;
  std::vector<torch::Tensor> levels;
  const auto int_options =
      torch::TensorOptions().dtype(torch::kInt64).device(features.front().device());
  for (size_t level = 0; level < features.size(); ++level) {
    const int64_t grid_h = features[level].size(-2), grid_w = features[level].size(-1);
    const int64_t stride_h = batch_height / grid_h, stride_w = batch_width / grid_w;
    // base anchor = round([-s, -s, s, s] / 2), exact for even sizes.
    const double half = std::round(kSizes[level] / 2.0);
    auto shifts_x = torch::arange(0, grid_w, int_options) * stride_w;
    auto shifts_y = torch::arange(0, grid_h, int_options) * stride_h;
    auto grid = torch::meshgrid({shifts_y, shifts_x}, "ij");
    auto shift_x = grid[1].reshape({-1});
    auto shift_y = grid[0].reshape({-1});
    auto shifts = torch::stack({shift_x, shift_y, shift_x, shift_y}, 1).to(features[level].dtype());
    auto base = torch::tensor({-half, -half, half, half}, shifts.options());
    levels.push_back(shifts + base);
    anchors.num_per_level.push_back(grid_h * grid_w);
  }
  anchors.boxes = torch::cat(levels, 0);
  return anchors;
}

}  // namespace labelloop
