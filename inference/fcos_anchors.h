#ifndef LABELLOOP_INFERENCE_FCOS_ANCHORS_H_
#define LABELLOOP_INFERENCE_FCOS_ANCHORS_H_

#include <torch/types.h>

#include <vector>

namespace labelloop {

// FCOS's "anchors": one square box per feature-map location whose side is the level's stride
// (sizes 8, 16, 32, 64, 128 for P3..P7), as torchvision's AnchorGenerator builds them with
// aspect ratio 1.0. The box centre is the location's point; its size sets the regression units
// and the level's scale range.
struct FcosAnchors {
  torch::Tensor boxes;                 // [HWA, 4], all levels concatenated
  std::vector<int64_t> num_per_level;  // locations per level, in order
};

// `batch_height`/`batch_width` are the padded batch's spatial size; `features` the pyramid.
FcosAnchors MakeFcosAnchors(int64_t batch_height, int64_t batch_width,
                            const std::vector<torch::Tensor>& features);

}  // namespace labelloop

#endif  // LABELLOOP_INFERENCE_FCOS_ANCHORS_H_
