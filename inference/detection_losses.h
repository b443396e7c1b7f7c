#ifndef LABELLOOP_INFERENCE_DETECTION_LOSSES_H_
#define LABELLOOP_INFERENCE_DETECTION_LOSSES_H_

#include <torch/types.h>

namespace labelloop {

// torchvision.ops.sigmoid_focal_loss with reduction="sum". `targets` holds 0/1 per element;
// alpha < 0 disables the class-balance weight.
torch::Tensor SigmoidFocalLossSum(const torch::Tensor& logits, const torch::Tensor& targets,
                                  double alpha, double gamma);

// torchvision.ops.generalized_box_iou_loss with reduction="sum" over row-aligned [K, 4] x1 y1 x2 y2
// boxes (1 - GIoU per pair, eps 1e-7).
torch::Tensor GeneralizedBoxIouLossSum(const torch::Tensor& boxes1, const torch::Tensor& boxes2);

}  // namespace labelloop

#endif  // LABELLOOP_INFERENCE_DETECTION_LOSSES_H_
