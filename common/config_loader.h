#ifndef LABELLOOP_COMMON_CONFIG_LOADER_H_
#define LABELLOOP_COMMON_CONFIG_LOADER_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "labelloop/v1/config.pb.h"

namespace labelloop {

// Parses a DaemonConfig from protobuf text format. An unknown field or a syntax error is
// INVALID_ARGUMENT naming the file, line, column and field; then ValidateConfig runs.
absl::StatusOr<v1::DaemonConfig> ParseConfig(const std::string& text, const std::string& source);

// Reads and parses a config file. An empty path gives the defaults.
absl::StatusOr<v1::DaemonConfig> LoadConfig(const std::string& path);

// Checks every value against its allowed range; the error names the field by its full path
// ("limits.max_image_bytes must be > 0, got -5").
absl::Status ValidateConfig(const v1::DaemonConfig& config);

}  // namespace labelloop

#endif  // LABELLOOP_COMMON_CONFIG_LOADER_H_
