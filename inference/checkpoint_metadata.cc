#include "inference/checkpoint_metadata.h"

#include <nlohmann/json.hpp>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace labelloop {

SafetensorsMetadata ToSafetensorsMetadata(const CheckpointInfo& info) {
  SafetensorsMetadata metadata;
  metadata[kMetadataClassNames] = nlohmann::json(info.class_names).dump();
  metadata[kMetadataConfig] = info.config;
  metadata[kMetadataMetrics] = info.metrics_json.empty() ? "{}" : info.metrics_json;
  metadata[kMetadataParentVersion] = info.parent_version;
  metadata[kMetadataFormatVersion] = info.format_version;
  return metadata;
}

absl::StatusOr<CheckpointInfo> CheckpointInfoFromMetadata(const SafetensorsMetadata& metadata) {
  CheckpointInfo info;
  if (auto it = metadata.find(kMetadataClassNames); it != metadata.end()) {
    const auto names = nlohmann::json::parse(it->second, nullptr, /*allow_exceptions=*/false);
    if (names.is_discarded() || !names.is_array()) {
      return absl::InvalidArgumentError("checkpoint metadata class_names is not a JSON list");
    }
    for (const auto& name : names) {
      if (!name.is_string()) {
        return absl::InvalidArgumentError(
            "checkpoint metadata class_names holds something other than strings");
      }
      info.class_names.push_back(name.get<std::string>());
    }
  }
  if (auto it = metadata.find(kMetadataConfig); it != metadata.end()) info.config = it->second;
  if (auto it = metadata.find(kMetadataMetrics); it != metadata.end()) {
    const auto metrics = nlohmann::json::parse(it->second, nullptr, /*allow_exceptions=*/false);
    if (metrics.is_discarded() || !metrics.is_object()) {
      return absl::InvalidArgumentError("checkpoint metadata metrics is not a JSON object");
    }
    info.metrics_json = it->second;
  }
  if (auto it = metadata.find(kMetadataParentVersion); it != metadata.end()) {
    info.parent_version = it->second;
  }
  if (auto it = metadata.find(kMetadataFormatVersion); it != metadata.end()) {
    info.format_version = it->second;
  }
  return info;
}

}  // namespace labelloop
