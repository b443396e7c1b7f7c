#ifndef LABELLOOP_INFERENCE_DETECTOR_CONFIG_H_
#define LABELLOOP_INFERENCE_DETECTOR_CONFIG_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "inference/fcos_options.h"
#include "labelloop/v1/config.pb.h"

namespace labelloop {

// Converts the daemon's DetectorConfig to the detector's options, validating every field.
// `project_class_count` (foreground classes, without background) is used when the config's
// num_classes is 0; a nonzero num_classes must then equal project_class_count + 1 unless
// project_class_count is negative (unknown). Errors are InvalidArgument naming the field, e.g.
// "DetectorConfig.fpn_channels: must be a positive multiple of 32 ...".
absl::StatusOr<FcosOptions> FcosOptionsFromConfig(const v1::DetectorConfig& config,
                                                  int64_t project_class_count);

}  // namespace labelloop

#endif  // LABELLOOP_INFERENCE_DETECTOR_CONFIG_H_
