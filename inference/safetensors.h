#ifndef LABELLOOP_INFERENCE_SAFETENSORS_H_
#define LABELLOOP_INFERENCE_SAFETENSORS_H_

#include <map>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "inference/state_dict.h"

namespace labelloop {

// The safetensors format (https://github.com/huggingface/safetensors): an 8-byte little-endian
// header length, a JSON header {name: {"dtype", "shape", "data_offsets": [begin, end]},
// "__metadata__": {string: string}}, then the raw little-endian tensor bytes. Chosen for our own
// checkpoints because it is plain data (nothing executes on load, unlike pickle), it is
// readable without torch, and its header can be inspected without reading the weights.

using SafetensorsMetadata = std::map<std::string, std::string>;

struct SafetensorsContents {
  NamedTensors tensors;  // in data order (by begin offset), CPU, contiguous
  SafetensorsMetadata metadata;
};

// Parses a whole file's bytes. Accepts dtypes F64, F32, F16, BF16, I64, I32, I16, I8, U8 and
// BOOL. Validates like the reference implementation: offsets inside the data, sizes matching
// the shapes, tensors tiling the data with no gaps or overlaps. Errors name the first bad
// tensor.
absl::StatusOr<SafetensorsContents> ParseSafetensors(std::string_view bytes);

// Reads and parses a file; errors name the path and the reason.
absl::StatusOr<SafetensorsContents> ReadSafetensors(const std::string& path);

// Serialises to bytes, tensors in the given order (moved to the CPU and made contiguous).
// Fails on a dtype safetensors cannot express or on duplicate names.
absl::StatusOr<std::string> SerializeSafetensors(const NamedTensors& tensors,
                                                 const SafetensorsMetadata& metadata);

// Writes atomically (temporary file, fsync, rename, fsync of the folder): readers see the old
// file or the complete new one, never a partial one. Streams tensor data instead of building
// the whole file in memory.
absl::Status WriteSafetensors(const std::string& path, const NamedTensors& tensors,
                              const SafetensorsMetadata& metadata);

}  // namespace labelloop

#endif  // LABELLOOP_INFERENCE_SAFETENSORS_H_
