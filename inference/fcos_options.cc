#include "inference/fcos_options.h"

namespace labelloop {

FcosOptions FcosOptions::TorchvisionResnet50(int64_t num_classes) {
  FcosOptions options;
  options.backbone = "resnet50";
  options.num_classes = num_classes;
  options.fpn_channels = 256;
  options.head_convs = 4;
  options.min_size = 800;
  options.max_size = 1333;
  return options;
}

std::string FcosOptionsError(const FcosOptions& o) {
  if (o.backbone != "resnet18" && o.backbone != "resnet34" && o.backbone != "resnet50") {
    return "backbone: must be resnet18, resnet34 or resnet50, got '" + o.backbone + "'";
  }
  if (o.num_classes < 2) {
    return "num_classes: must count background plus at least one class, got " +
           std::to_string(o.num_classes);
  }
  if (o.fpn_channels <= 0 || o.fpn_channels % 32 != 0) {
    return "fpn_channels: must be a positive multiple of 32 (the head uses GroupNorm(32, C)), "
           "got " +
           std::to_string(o.fpn_channels);
  }
  if (o.head_convs < 0 || o.head_convs > 16) {
    return "head_convs: must be in [0, 16], got " + std::to_string(o.head_convs);
  }
  if (o.min_size < 32) return "min_size: must be at least 32, got " + std::to_string(o.min_size);
  if (o.max_size < o.min_size) {
    return "max_size: must be at least min_size (" + std::to_string(o.min_size) + "), got " +
           std::to_string(o.max_size);
  }
  if (o.size_divisible <= 0) return "size_divisible: must be positive";
  for (int c = 0; c < 3; ++c) {
    if (!(o.image_std[c] > 0)) return "image_std: every entry must be positive";
  }
  if (!(o.score_thresh >= 0 && o.score_thresh < 1)) return "score_thresh: must be in [0, 1)";
  if (!(o.nms_thresh > 0 && o.nms_thresh <= 1)) return "nms_thresh: must be in (0, 1]";
  if (o.detections_per_img <= 0) return "detections_per_img: must be positive";
  if (o.topk_candidates <= 0) return "topk_candidates: must be positive";
  if (!(o.center_sampling_radius > 0)) return "center_sampling_radius: must be positive";
  if (!(o.focal_alpha < 1)) return "focal_alpha: must be below 1 (negative disables weighting)";
  if (!(o.focal_gamma >= 0)) return "focal_gamma: must be non-negative";
  if (o.trainable_backbone_layers < 0 || o.trainable_backbone_layers > 5) {
    return "trainable_backbone_layers: must be in [0, 5], got " +
           std::to_string(o.trainable_backbone_layers);
  }
  return "";
}

}  // namespace labelloop
