#ifndef LABELLOOP_INFERENCE_FCOS_OPTIONS_H_
#define LABELLOOP_INFERENCE_FCOS_OPTIONS_H_

#include <array>
#include <cstdint>
#include <string>

namespace labelloop {

// Everything that shapes the FCOS detector, as plain C++ so the torch-only core builds without
// protobuf. Field meanings and defaults follow torchvision 0.14's FCOS where they exist; the
// defaults here are the small CPU variant, `TorchvisionResnet50()` gives fcos_resnet50_fpn's.
struct FcosOptions {
  // "resnet18", "resnet34" or "resnet50".
  std::string backbone = "resnet18";
  // Classes including background at index 0 (torchvision's convention; index 0 is never
  // predicted by training but keeps label ids aligned with torchvision checkpoints).
  int64_t num_classes = 2;
  // FPN output channels (torchvision: 256). Must be a multiple of 32: the head's GroupNorm
  // uses 32 groups.
  int64_t fpn_channels = 64;
  // Conv + GroupNorm + ReLU repeats in each head branch (torchvision: 4).
  int64_t head_convs = 2;
  // GeneralizedRCNNTransform: shorter side target and longer side cap (torchvision: 800, 1333).
  int64_t min_size = 320;
  int64_t max_size = 512;
  int64_t size_divisible = 32;
  std::array<double, 3> image_mean = {0.485, 0.456, 0.406};
  std::array<double, 3> image_std = {0.229, 0.224, 0.225};
  // Post-processing.
  double score_thresh = 0.2;
  double nms_thresh = 0.6;
  int64_t detections_per_img = 100;
  int64_t topk_candidates = 1000;
  // Training.
  double center_sampling_radius = 1.5;
  double focal_alpha = 0.25;
  double focal_gamma = 2.0;
  // Backbone stages left trainable, counted from layer4 (0-5, torchvision's
  // trainable_backbone_layers).
  int trainable_backbone_layers = 3;

  // The configuration of torchvision's fcos_resnet50_fpn (91 COCO classes by default).
  static FcosOptions TorchvisionResnet50(int64_t num_classes = 91);
};

// Returns an empty string when `options` describe a buildable detector, otherwise a message that
// starts with the offending field's name.
std::string FcosOptionsError(const FcosOptions& options);

}  // namespace labelloop

#endif  // LABELLOOP_INFERENCE_FCOS_OPTIONS_H_
