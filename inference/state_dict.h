#ifndef LABELLOOP_INFERENCE_STATE_DICT_H_
#define LABELLOOP_INFERENCE_STATE_DICT_H_

#include <ATen/core/Tensor.h>

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"

namespace torch {
namespace nn {
class Module;
}  // namespace nn
}  // namespace torch

namespace labelloop {

// A state dict: tensors by name, in file (or module) order. A vector rather than a map because
// the order is meaningful: errors name the *first* bad tensor, and saved files keep torchvision's
// order so they diff cleanly against torchvision's own state_dict.
using NamedTensors = std::vector<std::pair<std::string, at::Tensor>>;

// The module's parameters and buffers in PyTorch's state_dict order (each module's own
// parameters, then its own buffers, then its children, depth first), detached.
NamedTensors ModuleStateDict(const torch::nn::Module& module);

// Rewrites keys that older torchvision releases spelled differently into today's spelling, and
// drops tensors that our modules never have:
//   - FPN blocks became Conv2dNormActivation (a Sequential) in torchvision 0.13, so
//     "...fpn.inner_blocks.0.weight" is now "...fpn.inner_blocks.0.0.weight" (same for
//     layer_blocks);
//   - "...num_batches_tracked" from a plain BatchNorm2d: FrozenBatchNorm2d has no such buffer.
NamedTensors NormalizeStateDictKeys(NamedTensors tensors);

// Copies `tensors` into the module's parameters and buffers, all or nothing. Every parameter
// and buffer must be present with the same shape and a dtype of the same kind (floating point
// into floating point, integer into integer; the value is converted), and there must be no
// extra tensor. On any error nothing is copied and the message names the first bad tensor, in
// checkpoint order (then, for missing tensors, in module order). Keys are used as given: call
// NormalizeStateDictKeys first for files from other tools.
absl::Status LoadStateDict(torch::nn::Module& module, const NamedTensors& tensors);

}  // namespace labelloop

#endif  // LABELLOOP_INFERENCE_STATE_DICT_H_
