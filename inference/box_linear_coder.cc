#include "inference/box_linear_coder.h"

#include <torch/torch.h>

namespace labelloop {

using torch::indexing::Ellipsis;

torch::Tensor EncodeBoxesLinear(const torch::Tensor& reference_boxes, const torch::Tensor& boxes) {
  auto rx1 = reference_boxes.index({Ellipsis, 0}), ry1 = reference_boxes.index({Ellipsis, 1});
  auto rx2 = reference_boxes.index({Ellipsis, 2}), ry2 = reference_boxes.index({Ellipsis, 3});
  auto ctr_x = 0.5 * (rx1 + rx2);
  auto ctr_y = 0.5 * (ry1 + ry2);
  auto targets =
      torch::stack({ctr_x - boxes.index({Ellipsis, 0}), ctr_y - boxes.index({Ellipsis, 1}),
                    boxes.index({Ellipsis, 2}) - ctr_x, boxes.index({Ellipsis, 3}) - ctr_y},
                   -1);
  auto w = rx2 - rx1, h = ry2 - ry1;
  return targets / torch::stack({w, h, w, h}, -1);
}

torch::Tensor DecodeBoxesLinear(const torch::Tensor& rel_codes,
                                const torch::Tensor& reference_boxes) {
  auto boxes = reference_boxes.to(rel_codes.dtype());
  auto x1 = boxes.index({Ellipsis, 0}), y1 = boxes.index({Ellipsis, 1});
  auto x2 = boxes.index({Ellipsis, 2}), y2 = boxes.index({Ellipsis, 3});
  auto ctr_x = 0.5 * (x1 + x2);
  auto ctr_y = 0.5 * (y1 + y2);
  auto w = x2 - x1, h = y2 - y1;
  auto codes = rel_codes * torch::stack({w, h, w, h}, -1);
  return torch::stack({ctr_x - codes.index({Ellipsis, 0}), ctr_y - codes.index({Ellipsis, 1}),
                       ctr_x + codes.index({Ellipsis, 2}), ctr_y + codes.index({Ellipsis, 3})},
                      -1);
}

torch::Tensor ClipBoxesToImage(const torch::Tensor& boxes, int64_t height, int64_t width) {
  using torch::indexing::Slice;
  auto xs = boxes.index({Ellipsis, Slice(0, torch::indexing::None, 2)}).clamp(0, width);
  auto ys = boxes.index({Ellipsis, Slice(1, torch::indexing::None, 2)}).clamp(0, height);
  return torch::stack({xs, ys}, boxes.dim()).reshape(boxes.sizes());
}

}  // namespace labelloop
