#include "inference/nms.h"

#include <torch/torch.h>

#include <algorithm>
#include <vector>

namespace labelloop {
namespace {

template <typename scalar_t>
std::vector<int64_t> NmsKernel(const torch::Tensor& boxes, const torch::Tensor& order,
                               double iou_threshold) {
  const int64_t n = boxes.size(0);
  const scalar_t* b = boxes.data_ptr<scalar_t>();
  const int64_t* ord = order.data_ptr<int64_t>();
  std::vector<scalar_t> areas(n);
  for (int64_t i = 0; i < n; ++i) {
    areas[i] = (b[4 * i + 2] - b[4 * i]) * (b[4 * i + 3] - b[4 * i + 1]);
  }
  std::vector<char> suppressed(n, 0);
  std::vector<int64_t> keep;
  for (int64_t oi = 0; oi < n; ++oi) {
    const int64_t i = ord[oi];
    if (suppressed[i]) continue;
    keep.push_back(i);
    const scalar_t ix1 = b[4 * i], iy1 = b[4 * i + 1], ix2 = b[4 * i + 2], iy2 = b[4 * i + 3];
    const scalar_t iarea = areas[i];
    for (int64_t oj = oi + 1; oj < n; ++oj) {
      const int64_t j = ord[oj];
      if (suppressed[j]) continue;
      const scalar_t xx1 = std::max(ix1, b[4 * j]);
      const scalar_t yy1 = std::max(iy1, b[4 * j + 1]);
      const scalar_t xx2 = std::min(ix2, b[4 * j + 2]);
      const scalar_t yy2 = std::min(iy2, b[4 * j + 3]);
      const scalar_t w = std::max(static_cast<scalar_t>(0), xx2 - xx1);
      const scalar_t h = std::max(static_cast<scalar_t>(0), yy2 - yy1);
      const scalar_t inter = w * h;
      const scalar_t iou = inter / (iarea + areas[j] - inter);
      if (iou > iou_threshold) suppressed[j] = 1;
    }
  }
  return keep;
}

}  // namespace

torch::Tensor Nms(const torch::Tensor& boxes, const torch::Tensor& scores, double iou_threshold) {
  TORCH_CHECK(boxes.dim() == 2 && boxes.size(1) == 4, "boxes must be [N, 4], got ", boxes.sizes());
  TORCH_CHECK(scores.dim() == 1 && scores.size(0) == boxes.size(0),
              "scores must be [N] for N boxes");
  auto long_options = torch::TensorOptions().dtype(torch::kInt64);
  if (boxes.size(0) == 0) return torch::empty({0}, long_options.device(boxes.device()));
  auto cpu_boxes = boxes.detach().to(torch::kCPU).contiguous();
  auto order = std::get<1>(scores.detach()
                               .to(torch::kCPU)
                               .sort(/*stable=*/true, /*dim=*/0,
                                     /*descending=*/true))
                   .contiguous();
  std::vector<int64_t> keep;
  AT_DISPATCH_FLOATING_TYPES(cpu_boxes.scalar_type(), "labelloop_nms",
                             [&] { keep = NmsKernel<scalar_t>(cpu_boxes, order, iou_threshold); });
  return torch::tensor(keep, long_options).to(boxes.device());
}

torch::Tensor BatchedNms(const torch::Tensor& boxes, const torch::Tensor& scores,
                         const torch::Tensor& idxs, double iou_threshold) {
  const bool on_cpu = boxes.device().is_cpu();
  if (boxes.numel() > (on_cpu ? 4000 : 20000)) {
    auto keep_mask = torch::zeros_like(scores, torch::kBool);
    auto classes = std::get<0>(torch::_unique(idxs));
    for (int64_t c = 0; c < classes.size(0); ++c) {
      auto current = torch::where(idxs == classes[c])[0];
      auto kept = Nms(boxes.index({current}), scores.index({current}), iou_threshold);
      keep_mask.index_put_({current.index({kept})}, true);
    }
    auto keep = torch::where(keep_mask)[0];
    return keep.index({std::get<1>(scores.index({keep}).sort(/*dim=*/0, /*descending=*/true))});
  }
  if (boxes.numel() == 0) return torch::empty({0}, idxs.options().dtype(torch::kInt64));
  // Shift each class to its own region so boxes of different classes never overlap.
  auto max_coordinate = boxes.max();
  auto offsets = idxs.to(boxes.dtype()) * (max_coordinate + torch::ones({}, boxes.options()));
  return Nms(boxes + offsets.unsqueeze(1), scores, iou_threshold);
}

}  // namespace labelloop
