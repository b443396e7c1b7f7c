#include "inference/checkpoint.h"

#include <torch/nn/module.h>

#include <utility>

#include "absl/strings/str_cat.h"
#include "inference/checkpoint_file.h"
#include "inference/pth_reader.h"

namespace labelloop {
namespace {

// The legacy torch.save format opens with a protocol-2 pickle (0x80 0x02) of a LONG1 (0x8a)
// magic number. A safetensors file could only start so with a header of over 9 MB whose
// length ends in 0x80; ours are far smaller, and a misdetected file still fails cleanly.
bool LooksLikeLegacyPth(std::string_view prefix) {
  return prefix.size() >= 3 && static_cast<uint8_t>(prefix[0]) == 0x80 &&
         static_cast<uint8_t>(prefix[2]) == 0x8a;
}

}  // namespace

absl::StatusOr<Checkpoint> LoadCheckpoint(const std::string& path) {
  auto prefix = ReadCheckpointFilePrefix(path, 8);
  if (!prefix.ok()) return prefix.status();
  Checkpoint checkpoint;
  if (LooksLikeZip(*prefix) || LooksLikeLegacyPth(*prefix)) {
    auto tensors = ReadPth(path);
    if (!tensors.ok()) return tensors.status();
    checkpoint.format = CheckpointFormat::kPth;
    checkpoint.tensors = NormalizeStateDictKeys(*std::move(tensors));
  } else {
    auto contents = ReadSafetensors(path);
    if (!contents.ok()) return contents.status();
    checkpoint.format = CheckpointFormat::kSafetensors;
    checkpoint.tensors = NormalizeStateDictKeys(std::move(contents->tensors));
    checkpoint.metadata = std::move(contents->metadata);
  }
  return checkpoint;
}

absl::Status SaveCheckpoint(const torch::nn::Module& module, const std::string& path,
                            const SafetensorsMetadata& metadata) {
  return WriteSafetensors(path, ModuleStateDict(module), metadata);
}

absl::StatusOr<SafetensorsMetadata> LoadCheckpointInto(torch::nn::Module& module,
                                                       const std::string& path) {
  auto checkpoint = LoadCheckpoint(path);
  if (!checkpoint.ok()) return checkpoint.status();
  absl::Status status = LoadStateDict(module, checkpoint->tensors);
  if (!status.ok()) {
    return absl::Status(status.code(), absl::StrCat("checkpoint ", path,
                                                    " does not fit the model: ", status.message()));
  }
  return std::move(checkpoint->metadata);
}

}  // namespace labelloop
