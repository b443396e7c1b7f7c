#ifndef LABELLOOP_INFERENCE_FCOS_POSTPROCESS_H_
#define LABELLOOP_INFERENCE_FCOS_POSTPROCESS_H_

#include <vector>

#include "inference/detection_types.h"
#include "inference/fcos_anchors.h"
#include "inference/fcos_head.h"
#include "inference/fcos_options.h"
#include "inference/image_transform.h"

namespace labelloop {

// torchvision FCOS.postprocess_detections followed by GeneralizedRCNNTransform.postprocess: per
// level, score = sqrt(sigmoid(cls) * sigmoid(ctrness)) over every (location, class), keep
// scores > score_thresh, the best topk_candidates of them, decode and clip to the resized image;
// then class-wise NMS over all levels, the best detections_per_img, and boxes mapped back to
// each original image size.
std::vector<Detections> PostprocessFcos(const FcosHeadOutputs& head, const FcosAnchors& anchors,
                                        const ImageBatch& batch, const FcosOptions& options);

// PostprocessFcos's detections of one image with the head location each came from, so callers
// can read back more of the head's output there (the sampler's full class probabilities).
struct LocatedDetections {
  Detections detections;
  torch::Tensor locations;  // [K] int64, index into the head's concatenated HWA locations
};

// PostprocessFcos, also returning each detection's location.
std::vector<LocatedDetections> PostprocessFcosWithLocations(const FcosHeadOutputs& head,
                                                            const FcosAnchors& anchors,
                                                            const ImageBatch& batch,
                                                            const FcosOptions& options);

}  // namespace labelloop

#endif  // LABELLOOP_INFERENCE_FCOS_POSTPROCESS_H_
