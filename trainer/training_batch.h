#ifndef LABELLOOP_TRAINER_TRAINING_BATCH_H_
#define LABELLOOP_TRAINER_TRAINING_BATCH_H_

#include <torch/types.h>

#include <vector>

#include "inference/detection_types.h"
#include "trainer/training_evaluation.h"
#include "trainer/training_example.h"

namespace labelloop {

// The detector's inputs for a batch of examples: float RGB [3, H, W] images and targets.
struct TensorBatch {
  std::vector<torch::Tensor> images;
  std::vector<DetectionTarget> targets;
};

TensorBatch ToTensorBatch(const std::vector<TrainingExample>& examples);

// The detector's output for one image as boxes with scores (CPU, plain values).
std::vector<ScoredBox> ToScoredBoxes(const Detections& detections);

}  // namespace labelloop

#endif  // LABELLOOP_TRAINER_TRAINING_BATCH_H_
