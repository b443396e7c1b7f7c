#ifndef LABELLOOP_SAMPLER_SCORED_DETECTION_H_
#define LABELLOOP_SAMPLER_SCORED_DETECTION_H_

#include <cstdint>
#include <vector>

namespace labelloop {

// An axis-aligned box in an image's own pixels: x1 y1 x2 y2 (x1 <= x2, y1 <= y2).
struct BoxXyxy {
  float x1 = 0, y1 = 0, x2 = 0, y2 = 0;
};

// One detection as the scorers see it, torch-free so the scoring math stays testable with
// hand-made numbers.
struct ScoredDetection {
  BoxXyxy box;
  // Class id in the detector's numbering (torchvision: 0 is the never-trained background slot).
  int64_t label = 0;
  // The detector's ranking score (FCOS: sqrt(sigmoid(class logit) * sigmoid(centerness))).
  float score = 0;
  // Independent per-class probabilities at the detection's location (FCOS: sigmoid of every
  // class logit), indexed by class id, so class_probs[label] is this detection's class. FCOS's
  // slot 0 is never a positive in training, so its probability goes to ~0 and adds nothing to the
  // distributions built from this vector; it is kept so indices stay class ids.
  std::vector<float> class_probs;
};

}  // namespace labelloop

#endif  // LABELLOOP_SAMPLER_SCORED_DETECTION_H_
