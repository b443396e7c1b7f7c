#ifndef LABELLOOP_INFERENCE_NMS_H_
#define LABELLOOP_INFERENCE_NMS_H_

#include <torch/types.h>

namespace labelloop {

// torchvision.ops.nms: visits boxes by decreasing score (stable sort, so ties keep input order),
// keeps a box unless an already kept box overlaps it with IoU > iou_threshold. Returns the kept
// indices (int64) by decreasing score. Runs on the CPU; inputs on another device are copied.
torch::Tensor Nms(const torch::Tensor& boxes, const torch::Tensor& scores, double iou_threshold);

// torchvision.ops.batched_nms: NMS within each category of `idxs` only. Follows torchvision's
// choice between the coordinate-offset trick and a per-class loop (by box count and device),
// because the two can differ in the last float bit and parity is tested against it.
torch::Tensor BatchedNms(const torch::Tensor& boxes, const torch::Tensor& scores,
                         const torch::Tensor& idxs, double iou_threshold);

}  // namespace labelloop

#endif  // LABELLOOP_INFERENCE_NMS_H_
