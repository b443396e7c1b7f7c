#ifndef LABELLOOP_SAMPLER_IMAGE_SCORER_H_
#define LABELLOOP_SAMPLER_IMAGE_SCORER_H_

#include <torch/types.h>

#include <memory>
#include <vector>

#include "sampler/image_scorer_options.h"
#include "sampler/kcenter_greedy.h"
#include "sampler/scored_detection.h"

namespace labelloop {

class FcosImpl;

// What the sampler needs to know about one image under the current model.
struct ScoredImage {
  // The original view's detections, best first, each with its foreground class probabilities.
  std::vector<ScoredDetection> detections;
  // Pooled FPN embedding: for each level P3..P7 the global average over the image's own
  // (unpadded) extent of that level, L2-normalised per level (so each level counts the same
  // whatever its activation scale), concatenated and divided by sqrt(5): unit length,
  // 5 x fpn_channels values.
  Embedding embedding;
  // The enabled TTA views' detections mapped back to the original image: the flip first, then the
  // rescale. Feed them to ScoreTtaConsistency with `detections`.
  std::vector<std::vector<ScoredDetection>> views;
};

// Runs the detector for sampling. Thread-compatible: concurrent Score calls are fine on a model
// in eval mode (they only read parameters), as for FcosImpl::Detect.
class ImageScorer {
 public:
  // `model` must be in eval mode (a ServingModel's module() is).
  ImageScorer(std::shared_ptr<FcosImpl> model, ImageScorerOptions options);

  // Images are float RGB [3, H, W] in [0, 1], as the detector takes them; one forward pass over
  // the images and all their views together. Throws c10::Error on bad images or options.
  std::vector<ScoredImage> Score(const std::vector<torch::Tensor>& images) const;

 private:
  std::shared_ptr<FcosImpl> model_;
  ImageScorerOptions options_;
};

}  // namespace labelloop

#endif  // LABELLOOP_SAMPLER_IMAGE_SCORER_H_
