#ifndef LABELLOOP_SAMPLER_DETECTION_PROBABILITIES_H_
#define LABELLOOP_SAMPLER_DETECTION_PROBABILITIES_H_

#include <torch/types.h>

#include <vector>

#include "inference/detection_types.h"
#include "inference/fcos_anchors.h"
#include "inference/fcos_head.h"
#include "inference/fcos_options.h"
#include "inference/image_transform.h"

namespace labelloop {

// Detections together with what the uncertainty scorers need and PostprocessFcos drops: the
// probability of every class at each detection's location.
struct DetectionsWithProbabilities {
  Detections detections;      // exactly PostprocessFcos's boxes, scores and labels
  torch::Tensor class_probs;  // [K, num_classes] float, sigmoid of every class logit
  torch::Tensor locations;    // [K] int64, the detection's index into the head's HWA locations
};

// PostprocessFcos's detections with the full class-probability vector read back at each
// detection's location.
std::vector<DetectionsWithProbabilities> PostprocessFcosWithProbabilities(
    const FcosHeadOutputs& head, const FcosAnchors& anchors, const ImageBatch& batch,
    const FcosOptions& options);

}  // namespace labelloop

#endif  // LABELLOOP_SAMPLER_DETECTION_PROBABILITIES_H_
