#include "inference/detector_config.h"

#include <string>

#include "absl/status/status.h"

namespace labelloop {
namespace {

absl::Status FieldError(const std::string& message) {
  return absl::InvalidArgumentError("DetectorConfig." + message);
}

}  // namespace

absl::StatusOr<FcosOptions> FcosOptionsFromConfig(const v1::DetectorConfig& config,
                                                  int64_t project_class_count) {
  FcosOptions options;
  options.backbone = config.backbone();
  options.fpn_channels = config.fpn_channels();
  options.head_convs = config.head_convs();
  options.min_size = config.min_size();
  options.max_size = config.max_size();
  options.score_thresh = config.score_thresh();
  options.nms_thresh = config.nms_thresh();
  options.detections_per_img = config.detections_per_img();
  options.topk_candidates = config.topk_candidates();
  options.center_sampling_radius = config.center_sampling_radius();
  options.focal_alpha = config.focal_alpha();
  options.focal_gamma = config.focal_gamma();
  options.trainable_backbone_layers = config.trainable_backbone_layers();

  if (config.image_mean_size() != 0) {
    if (config.image_mean_size() != 3) {
      return FieldError("image_mean: needs 3 values (R, G, B), got " +
                        std::to_string(config.image_mean_size()));
    }
    for (int c = 0; c < 3; ++c) options.image_mean[c] = config.image_mean(c);
  }
  if (config.image_std_size() != 0) {
    if (config.image_std_size() != 3) {
      return FieldError("image_std: needs 3 values (R, G, B), got " +
                        std::to_string(config.image_std_size()));
    }
    for (int c = 0; c < 3; ++c) options.image_std[c] = config.image_std(c);
  }

  if (config.num_classes() == 0) {
    if (project_class_count <= 0) {
      return FieldError(
          "num_classes: 0 means the project's class count + 1, but the project has no classes");
    }
    options.num_classes = project_class_count + 1;
  } else {
    if (project_class_count >= 0 && config.num_classes() != project_class_count + 1) {
      return FieldError("num_classes: " + std::to_string(config.num_classes()) +
                        " does not match the project's " + std::to_string(project_class_count) +
                        " classes + background");
    }
    options.num_classes = config.num_classes();
  }

  if (!(config.label_assist_threshold() >= 0 && config.label_assist_threshold() <= 1)) {
    return FieldError("label_assist_threshold: must be in [0, 1]");
  }
  if (config.threads() < 0) return FieldError("threads: must be >= 0 (0: all cores)");

  const std::string error = FcosOptionsError(options);
  if (!error.empty()) return FieldError(error);
  return options;
}

}  // namespace labelloop
