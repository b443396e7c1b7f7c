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
  // Independent probabilities of the foreground classes at the detection's location (FCOS:
  // sigmoid of the class logits), class_probs[i] for class id i + 1. The torchvision background
  // slot 0 is left out: it is never a positive in training, and counting it as an outcome would
  // cap every normalised uncertainty below 1 (e.g. entropy at ln 4 / ln 5 with three classes).
  // May be empty when only the score is known (see uncertainty.h).
  std::vector<float> class_probs;
};

}  // namespace labelloop

#endif  // LABELLOOP_SAMPLER_SCORED_DETECTION_H_
