#ifndef LABELLOOP_INFERENCE_PTH_READER_H_
#define LABELLOOP_INFERENCE_PTH_READER_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "inference/state_dict.h"

namespace labelloop {

// Reads a state dict saved by Python's `torch.save(model.state_dict(), path)`: the zip format
// (the default since torch 1.6) and the legacy pickle format (`_use_new_zipfile_serialization=
// False`). Also accepts a plain dict, and a dict that wraps the state dict under "model" or
// "state_dict" (as training scripts often save). Keys are returned as stored, in file order;
// no code from the file is ever run. A missing, truncated or corrupt file gives an error that
// names the path and the reason.
absl::StatusOr<NamedTensors> ReadPth(const std::string& path);

// True when `prefix` (a file's first bytes) starts like a zip archive.
bool LooksLikeZip(std::string_view prefix);

}  // namespace labelloop

#endif  // LABELLOOP_INFERENCE_PTH_READER_H_
