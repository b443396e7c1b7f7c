#ifndef LABELLOOP_INFERENCE_CHECKPOINT_H_
#define LABELLOOP_INFERENCE_CHECKPOINT_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "inference/safetensors.h"
#include "inference/state_dict.h"

namespace torch {
namespace nn {
class Module;
}  // namespace nn
}  // namespace torch

namespace labelloop {

// Checkpoint files as the rest of labelloop sees them: one entry point that reads either
// format, one that writes ours.

enum class CheckpointFormat { kSafetensors, kPth };

struct Checkpoint {
  CheckpointFormat format = CheckpointFormat::kSafetensors;
  NamedTensors tensors;          // keys normalised (NormalizeStateDictKeys), file order
  SafetensorsMetadata metadata;  // empty for .pth files
};

// Reads a checkpoint, choosing the format by content, not by file name: a zip archive ("PK")
// or the legacy pickle magic is a torch.save file, anything else is read as safetensors.
// Errors name the path and what is wrong (missing, truncated, corrupt).
absl::StatusOr<Checkpoint> LoadCheckpoint(const std::string& path);

// Writes the module's parameters and buffers (state_dict order, torchvision names) as
// safetensors with `metadata`, atomically. The tensors are read while writing, so the module
// must not be trained at the same time (snapshot it first if it is).
absl::Status SaveCheckpoint(const torch::nn::Module& module, const std::string& path,
                            const SafetensorsMetadata& metadata);

// LoadCheckpoint, then LoadStateDict: all or nothing, so on any error the module is unchanged
// and the message names the path and the first bad tensor. Returns the file's metadata.
absl::StatusOr<SafetensorsMetadata> LoadCheckpointInto(torch::nn::Module& module,
                                                       const std::string& path);

}  // namespace labelloop

#endif  // LABELLOOP_INFERENCE_CHECKPOINT_H_
