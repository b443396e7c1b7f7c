#ifndef LABELLOOP_TRAINER_TRAINING_WARM_START_H_
#define LABELLOOP_TRAINER_TRAINING_WARM_START_H_

#include <functional>
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
//     initialised. A project class the file does not name takes the rows of the file's classes
//     that `current_name` maps to it (renamed: that row; merged: the mean of the merged rows);
//     rows of deleted classes are dropped, and new classes keep the detector's FCOS
//     initialisation (prior-probability bias);
//   - a plain ResNet state_dict (torchvision's ImageNet `resnet18-*.pth` and the like): loaded
//     as the backbone's body, its `fc` classifier dropped, FPN and head freshly initialised.
// Anything else (another backbone depth, FPN width, ...) fails naming the first bad tensor.
// Returns a sentence saying what was loaded, for the job's progress message.
// `current_name` says what a class of the file is called now ("" when deleted); null means
// "the same name" (see TraceClassName).
using ClassNameMap = std::function<std::string(const std::string&)>;
absl::StatusOr<std::string> LoadWarmStartWeights(torch::nn::Module& detector,
                                                 const std::string& path,
                                                 const std::vector<std::string>& class_names,
                                                 const ClassNameMap& current_name = nullptr);

}  // namespace labelloop

#endif  // LABELLOOP_TRAINER_TRAINING_WARM_START_H_
