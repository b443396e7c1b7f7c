#ifndef LABELLOOP_TRAINER_TRAINING_EVALUATION_H_
#define LABELLOOP_TRAINER_TRAINING_EVALUATION_H_

#include <string>
#include <vector>

#include "trainer/model_version.h"
#include "trainer/training_example.h"

namespace labelloop {

// A detection in an image's pixels, with the detector's class index (1-based) in box.label.
struct ScoredBox {
  TrainingBox box;
  float score = 0;
};

// COCO bbox evaluation (pycocotools semantics, maxDets 100) of `detections` against `truth`,
// one entry per validation image in both. Categories are all of the project's classes
// (detector index i + 1 = class_names[i]); a class without validation boxes gets AP -1 and does
// not count towards the mean, as in pycocotools.
ModelVersionMetrics EvaluateValidation(const std::vector<std::vector<TrainingBox>>& truth,
                                       const std::vector<std::vector<ScoredBox>>& detections,
                                       const std::vector<std::string>& class_names);

}  // namespace labelloop

#endif  // LABELLOOP_TRAINER_TRAINING_EVALUATION_H_
