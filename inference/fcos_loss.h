#ifndef LABELLOOP_INFERENCE_FCOS_LOSS_H_
#define LABELLOOP_INFERENCE_FCOS_LOSS_H_

#include <vector>

#include "inference/detection_types.h"
#include "inference/fcos_anchors.h"
#include "inference/fcos_head.h"
#include "inference/fcos_options.h"

namespace labelloop {

// torchvision FCOS.compute_loss target assignment, per image: a location is a candidate for a
// ground-truth box when its point lies inside the box, within center_sampling_radius x stride of
// the box centre, and its largest edge distance is in the level's range ((4s, 8s) for stride s,
// open-ended at the first and last levels); among candidates the smallest box wins. Returns the
// matched box index per location, -1 for background. `targets` are in batch coordinates.
std::vector<torch::Tensor> MatchFcosTargets(const FcosAnchors& anchors,
                                            const std::vector<DetectionTarget>& targets,
                                            double center_sampling_radius);

// torchvision FCOSHead.compute_loss: focal loss on all locations, GIoU on decoded boxes of the
// foreground, centerness BCE on the foreground, each divided by max(1, foreground count).
FcosLosses ComputeFcosLosses(const FcosHeadOutputs& head, const FcosAnchors& anchors,
                             const std::vector<DetectionTarget>& targets,
                             const std::vector<torch::Tensor>& matched_idxs,
                             const FcosOptions& options);

}  // namespace labelloop

#endif  // LABELLOOP_INFERENCE_FCOS_LOSS_H_
