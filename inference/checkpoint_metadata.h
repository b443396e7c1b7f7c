#ifndef LABELLOOP_INFERENCE_CHECKPOINT_METADATA_H_
#define LABELLOOP_INFERENCE_CHECKPOINT_METADATA_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "inference/safetensors.h"

namespace labelloop {

// What labelloop records beside the weights of every checkpoint it writes, stored as
// safetensors string metadata so that any safetensors reader (Python included) sees it:
//   class_names     JSON list of strings, index i = model class i + 1 (0 is background)
//   config          the detector config as text
//   metrics         JSON object (e.g. {"map": 0.41})
//   parent_version  the version this one was fine-tuned from ("" for none)
//   format_version  the layout of this metadata; bumped when it changes meaning
struct CheckpointInfo {
  static constexpr const char* kCurrentFormatVersion = "1";

  std::vector<std::string> class_names;
  std::string config;
  std::string metrics_json = "{}";
  std::string parent_version;
  std::string format_version = kCurrentFormatVersion;
};

inline constexpr const char* kMetadataClassNames = "class_names";
inline constexpr const char* kMetadataConfig = "config";
inline constexpr const char* kMetadataMetrics = "metrics";
inline constexpr const char* kMetadataParentVersion = "parent_version";
inline constexpr const char* kMetadataFormatVersion = "format_version";

SafetensorsMetadata ToSafetensorsMetadata(const CheckpointInfo& info);

// Missing keys take their defaults (a torchvision file converted by hand has none); keys that
// are present must be well formed. Unknown keys are ignored, so newer writers stay readable.
absl::StatusOr<CheckpointInfo> CheckpointInfoFromMetadata(const SafetensorsMetadata& metadata);

}  // namespace labelloop

#endif  // LABELLOOP_INFERENCE_CHECKPOINT_METADATA_H_
