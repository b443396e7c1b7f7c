#ifndef LABELLOOP_TRAINER_TRAINING_WARM_START_H_
#define LABELLOOP_TRAINER_TRAINING_WARM_START_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace torch {
namespace nn {
class Module;
}  // namespace nn
}  // namespace torch

namespace labelloop {

// Loads starting weights for a training job into a freshly built detector, all or nothing
// (on error the detector keeps its fresh initialisation). Accepted files (.pth or safetensors,
// told apart by content):
//   - a full detector with the same classes: loaded as is;
//   - a full detector whose classes differ (the project added or removed classes since, or a
//     torchvision model trained on other data): everything but the classifier's last layer
//     (`head.classification_head.cls_logits`) is loaded. When the file names its classes (our
//     checkpoints do), rows of classes present in both are carried over by name, so a round
//     after adding a class does not forget the others; otherwise the layer stays freshly
//     initialised;
//   - a plain ResNet state_dict (torchvision's ImageNet `resnet18-*.pth` and the like): loaded
//     as the backbone's body, its `fc` classifier dropped, FPN and head freshly initialised.
// Anything else (another backbone depth, FPN width, ...) fails naming the first bad tensor.
// Returns a sentence saying what was loaded, for the job's progress message.
absl::StatusOr<std::string> LoadWarmStartWeights(torch::nn::Module& detector,
                                                 const std::string& path,
                                                 const std::vector<std::string>& class_names);

}  // namespace labelloop

#endif  // LABELLOOP_TRAINER_TRAINING_WARM_START_H_
