#ifndef LABELLOOP_INFERENCE_FCOS_H_
#define LABELLOOP_INFERENCE_FCOS_H_

#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include <vector>

#include "inference/detection_types.h"
#include "inference/fcos_anchors.h"
#include "inference/fcos_head.h"
#include "inference/fcos_options.h"
#include "inference/feature_pyramid.h"
#include "inference/image_transform.h"
#include "inference/resnet.h"

namespace labelloop {

// torchvision BackboneWithFPN: "body" (the ResNet trunk) and "fpn".
class BackboneWithFpnImpl : public torch::nn::Module {
 public:
  BackboneWithFpnImpl(int resnet_depth, int64_t fpn_channels);
  // P3..P7.
  std::vector<torch::Tensor> forward(const torch::Tensor& images);
  ResNetBody& body() { return body_; }

 private:
  ResNetBody body_{nullptr};
  FeaturePyramid fpn_{nullptr};
};
TORCH_MODULE(BackboneWithFpn);

// Everything the network computes for one batch before post-processing or losses.
struct FcosForward {
  ImageBatch batch;
  std::vector<torch::Tensor> features;  // P3..P7, [N, C, H_l, W_l]
  FcosHeadOutputs head;
  FcosAnchors anchors;
};

// The FCOS detector, torchvision 0.14's `FCOS` over `resnet_fpn_backbone`: the children are
// "backbone" (body + fpn) and "head", so named_parameters()/named_buffers() give exactly the
// keys of torchvision's state_dict (minus BatchNorm's num_batches_tracked, which
// FrozenBatchNorm2d has no use for). Images are float RGB [3, H, W] in [0, 1], any sizes; boxes
// in and out are in each image's own pixels.
//
// Not thread-safe to train and detect concurrently on one instance; concurrent Detect calls on a
// model in eval mode are fine (they only read parameters).
class FcosImpl : public torch::nn::Module {
 public:
  // Throws c10::Error naming the bad field if `options` are invalid.
  explicit FcosImpl(const FcosOptions& options);

  // Eval-mode inference (runs under NoGradGuard). Images are moved to the model's device.
  std::vector<Detections> Detect(const std::vector<torch::Tensor>& images);

  // Training losses for `images` with `targets` (one per image, possibly with no boxes).
  // Throws c10::Error on a degenerate box (x2 <= x1 or y2 <= y1) or a label out of range.
  FcosLosses Losses(const std::vector<torch::Tensor>& images,
                    const std::vector<DetectionTarget>& targets);

  // The shared part of both: transform, backbone, head, anchors. Exposed for callers that need
  // features (e.g. embeddings for diversity sampling) or raw scores.
  FcosForward Forward(const std::vector<torch::Tensor>& images);

  const FcosOptions& options() const { return options_; }
  torch::Device device() const;

 private:
  FcosOptions options_;
  ImageTransform transform_;
  BackboneWithFpn backbone_{nullptr};
  FcosHead head_{nullptr};
};
TORCH_MODULE(Fcos);

}  // namespace labelloop

#endif  // LABELLOOP_INFERENCE_FCOS_H_
