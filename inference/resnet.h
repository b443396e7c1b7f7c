#ifndef LABELLOOP_INFERENCE_RESNET_H_
#define LABELLOOP_INFERENCE_RESNET_H_

#include <torch/nn/module.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include <string>
#include <vector>

#include "inference/frozen_batch_norm.h"

namespace labelloop {

// torchvision.models.resnet.BasicBlock (resnet18/34), with FrozenBatchNorm2d.
class BasicBlockImpl : public torch::nn::Module {
 public:
  static constexpr int64_t kExpansion = 1;
  BasicBlockImpl(int64_t in_planes, int64_t planes, int64_t stride);
  torch::Tensor forward(const torch::Tensor& x);

 private:
  torch::nn::Conv2d conv1_{nullptr}, conv2_{nullptr};
  FrozenBatchNorm2d bn1_{nullptr}, bn2_{nullptr};
  torch::nn::Sequential downsample_{nullptr};
};
TORCH_MODULE(BasicBlock);

// torchvision.models.resnet.Bottleneck (resnet50; stride on the 3x3 conv, "ResNet v1.5").
class BottleneckImpl : public torch::nn::Module {
 public:
  static constexpr int64_t kExpansion = 4;
  BottleneckImpl(int64_t in_planes, int64_t planes, int64_t stride);
  torch::Tensor forward(const torch::Tensor& x);

 private:
  torch::nn::Conv2d conv1_{nullptr}, conv2_{nullptr}, conv3_{nullptr};
  FrozenBatchNorm2d bn1_{nullptr}, bn2_{nullptr}, bn3_{nullptr};
  torch::nn::Sequential downsample_{nullptr};
};
TORCH_MODULE(Bottleneck);

// The ResNet trunk as torchvision's IntermediateLayerGetter keeps it for detection: conv1, bn1,
// maxpool and layer1..layer4 (no avgpool/fc). forward returns the outputs of layer2, layer3 and
// layer4 (FCOS's returned_layers [2, 3, 4]).
class ResNetBodyImpl : public torch::nn::Module {
 public:
  // `depth` is 18, 34 or 50.
  explicit ResNetBodyImpl(int depth);
  std::vector<torch::Tensor> forward(const torch::Tensor& x);
  // Channels of the returned layer2, layer3 and layer4 outputs.
  const std::vector<int64_t>& out_channels() const { return out_channels_; }
  // requires_grad(false) on every parameter outside the last `trainable_layers` stages, exactly
  // as torchvision's _resnet_fpn_extractor.
  void FreezeAllBut(int trainable_layers);

 private:
  torch::nn::Conv2d conv1_{nullptr};
  FrozenBatchNorm2d bn1_{nullptr};
  torch::nn::Sequential layer1_{nullptr}, layer2_{nullptr}, layer3_{nullptr}, layer4_{nullptr};
  std::vector<int64_t> out_channels_;
};
TORCH_MODULE(ResNetBody);

}  // namespace labelloop

#endif  // LABELLOOP_INFERENCE_RESNET_H_
