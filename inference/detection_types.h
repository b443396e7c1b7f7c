#ifndef LABELLOOP_INFERENCE_DETECTION_TYPES_H_
#define LABELLOOP_INFERENCE_DETECTION_TYPES_H_

#include <torch/types.h>

namespace labelloop {

// Ground truth for one image, in that image's pixel coordinates (before any resizing).
struct DetectionTarget {
  torch::Tensor boxes;   // [M, 4] float, x1 y1 x2 y2, x1 < x2 and y1 < y2
  torch::Tensor labels;  // [M] int64, in [1, num_classes)
};

// Detections for one image, in that image's pixel coordinates, by decreasing score.
struct Detections {
  torch::Tensor boxes;   // [K, 4] float, x1 y1 x2 y2
  torch::Tensor scores;  // [K] float, sqrt(sigmoid(class logit) * sigmoid(centerness))
  torch::Tensor labels;  // [K] int64 class ids (torchvision numbering, background = 0)
};

// The three FCOS training losses, each already divided by the number of foreground locations.
struct FcosLosses {
  torch::Tensor classification;   // sigmoid focal loss
  torch::Tensor bbox_regression;  // GIoU loss
  torch::Tensor bbox_ctrness;     // centerness BCE
  torch::Tensor Total() const { return classification + bbox_regression + bbox_ctrness; }
};

}  // namespace labelloop

#endif  // LABELLOOP_INFERENCE_DETECTION_TYPES_H_
