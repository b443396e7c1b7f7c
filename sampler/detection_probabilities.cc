#include "sampler/detection_probabilities.h"

#include <torch/torch.h>

#include "inference/fcos_postprocess.h"

namespace labelloop {

std::vector<DetectionsWithProbabilities> PostprocessFcosWithProbabilities(
    const FcosHeadOutputs& head, const FcosAnchors& anchors, const ImageBatch& batch,
    const FcosOptions& options) {
  std::vector<DetectionsWithProbabilities> results;
  std::vector<LocatedDetections> located =
      PostprocessFcosWithLocations(head, anchors, batch, options);
  for (size_t index = 0; index < located.size(); ++index) {
    DetectionsWithProbabilities result;
    result.detections = std::move(located[index].detections);
    result.locations = std::move(located[index].locations);
    result.class_probs = torch::sigmoid(head.cls_logits[index].index({result.locations}));
    results.push_back(std::move(result));
  }
  return results;
}

}  // namespace labelloop
