#include "inference/detection_losses.h"

#include <torch/torch.h>

namespace labelloop {

torch::Tensor SigmoidFocalLossSum(const torch::Tensor& logits, const torch::Tensor& targets,
                                  double alpha, double gamma) {
  auto p = torch::sigmoid(logits);
  auto ce = torch::binary_cross_entropy_with_logits(logits, targets, /*weight=*/{},
                                                    /*pos_weight=*/{}, at::Reduction::None);
  auto p_t = p * targets + (1 - p) * (1 - targets);
  auto loss = ce * torch::pow(1 - p_t, gamma);
  if (alpha >= 0) {
    auto alpha_t = alpha * targets + (1 - alpha) * (1 - targets);
    loss = alpha_t * loss;
  }
  return loss.sum();
}

torch::Tensor GeneralizedBoxIouLossSum(const torch::Tensor& boxes1, const torch::Tensor& boxes2) {
  constexpr double kEps = 1e-7;
  auto b1 = boxes1.unbind(-1);
  auto b2 = boxes2.unbind(-1);
  const auto &x1 = b1[0], &y1 = b1[1], &x2 = b1[2], &y2 = b1[3];
  const auto &x1g = b2[0], &y1g = b2[1], &x2g = b2[2], &y2g = b2[3];

  auto xkis1 = torch::max(x1, x1g), ykis1 = torch::max(y1, y1g);
  auto xkis2 = torch::min(x2, x2g), ykis2 = torch::min(y2, y2g);
  auto overlap = (ykis2 > ykis1) & (xkis2 > xkis1);
  auto intersection =
      torch::where(overlap, (xkis2 - xkis1) * (ykis2 - ykis1), torch::zeros_like(x1));
  auto union_area = (x2 - x1) * (y2 - y1) + (x2g - x1g) * (y2g - y1g) - intersection;
  auto iou = intersection / (union_area + kEps);

  auto xc1 = torch::min(x1, x1g), yc1 = torch::min(y1, y1g);
  auto xc2 = torch::max(x2, x2g), yc2 = torch::max(y2, y2g);
  auto area_c = (xc2 - xc1) * (yc2 - yc1);
  auto giou = iou - ((area_c - union_area) / (area_c + kEps));
  return (1 - giou).sum();
}

}  // namespace labelloop
