#ifndef LABELLOOP_INFERENCE_BOX_LINEAR_CODER_H_
#define LABELLOOP_INFERENCE_BOX_LINEAR_CODER_H_

#include <torch/types.h>

namespace labelloop {

// torchvision's BoxLinearCoder(normalize_by_size=True): a box is coded as the distances from
// the reference box's centre to its left, top, right and bottom edges, divided by the reference
// box's width/height. Shapes broadcast over leading dimensions ([..., 4]).
torch::Tensor EncodeBoxesLinear(const torch::Tensor& reference_boxes, const torch::Tensor& boxes);
torch::Tensor DecodeBoxesLinear(const torch::Tensor& rel_codes,
                                const torch::Tensor& reference_boxes);

// torchvision.ops.clip_boxes_to_image: x into [0, width], y into [0, height].
torch::Tensor ClipBoxesToImage(const torch::Tensor& boxes, int64_t height, int64_t width);

}  // namespace labelloop

#endif  // LABELLOOP_INFERENCE_BOX_LINEAR_CODER_H_
