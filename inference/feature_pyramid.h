#ifndef LABELLOOP_INFERENCE_FEATURE_PYRAMID_H_
#define LABELLOOP_INFERENCE_FEATURE_PYRAMID_H_

#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include <vector>

namespace labelloop {

// torchvision.ops.feature_pyramid_network.LastLevelP6P7 as FCOS builds it (in == out channels,
// so P6 is computed from P5, not C5).
class LastLevelP6P7Impl : public torch::nn::Module {
 public:
  explicit LastLevelP6P7Impl(int64_t channels);
  // Appends P6 and P7 to `pyramid`.
  void forward(std::vector<torch::Tensor>& pyramid);

 private:
  torch::nn::Conv2d p6_{nullptr}, p7_{nullptr};
};
TORCH_MODULE(LastLevelP6P7);

// torchvision.ops.FeaturePyramidNetwork (version 2 key spelling: each block is a
// Conv2dNormActivation, a Sequential whose conv is child "0") with LastLevelP6P7 extra blocks.
// Input: C3..C5, output: P3..P7.
class FeaturePyramidImpl : public torch::nn::Module {
 public:
  FeaturePyramidImpl(const std::vector<int64_t>& in_channels, int64_t out_channels);
  std::vector<torch::Tensor> forward(const std::vector<torch::Tensor>& features);

 private:
  std::vector<torch::nn::Conv2d> inner_convs_, layer_convs_;
  torch::nn::ModuleList inner_blocks_, layer_blocks_;
  LastLevelP6P7 extra_blocks_{nullptr};
};
TORCH_MODULE(FeaturePyramid);

}  // namespace labelloop

#endif  // LABELLOOP_INFERENCE_FEATURE_PYRAMID_H_
