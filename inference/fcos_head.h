#ifndef LABELLOOP_INFERENCE_FCOS_HEAD_H_
#define LABELLOOP_INFERENCE_FCOS_HEAD_H_

#include <torch/nn/module.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include <vector>

namespace labelloop {

// Dense per-location predictions over all pyramid levels concatenated (level by level, row-major
// within a level), as torchvision's FCOSHead returns them. HWA = total locations.
struct FcosHeadOutputs {
  torch::Tensor cls_logits;       // [N, HWA, num_classes]
  torch::Tensor bbox_regression;  // [N, HWA, 4], left/top/right/bottom in anchor-size units
  torch::Tensor bbox_ctrness;     // [N, HWA, 1], centerness logits
};

// torchvision FCOSClassificationHead: `num_convs` x (conv3x3, GroupNorm(32), ReLU), cls_logits.
class FcosClassificationHeadImpl : public torch::nn::Module {
 public:
  FcosClassificationHeadImpl(int64_t channels, int64_t num_classes, int64_t num_convs,
                             double prior_probability = 0.01);
  torch::Tensor forward(const std::vector<torch::Tensor>& features);

 private:
  int64_t num_classes_;
  torch::nn::Sequential conv_{nullptr};
  torch::nn::Conv2d cls_logits_{nullptr};
};
TORCH_MODULE(FcosClassificationHead);

// torchvision FCOSRegressionHead: shared tower, then bbox_reg (ReLU'd distances) and
// bbox_ctrness.
class FcosRegressionHeadImpl : public torch::nn::Module {
 public:
  FcosRegressionHeadImpl(int64_t channels, int64_t num_convs);
  // Returns {bbox_regression [N, HWA, 4], bbox_ctrness [N, HWA, 1]}.
  std::pair<torch::Tensor, torch::Tensor> forward(const std::vector<torch::Tensor>& features);

 private:
  torch::nn::Sequential conv_{nullptr};
  torch::nn::Conv2d bbox_reg_{nullptr}, bbox_ctrness_{nullptr};
};
TORCH_MODULE(FcosRegressionHead);

class FcosHeadImpl : public torch::nn::Module {
 public:
  FcosHeadImpl(int64_t channels, int64_t num_classes, int64_t num_convs);
  FcosHeadOutputs forward(const std::vector<torch::Tensor>& features);

 private:
  FcosClassificationHead classification_head_{nullptr};
  FcosRegressionHead regression_head_{nullptr};
};
TORCH_MODULE(FcosHead);

}  // namespace labelloop

#endif  // LABELLOOP_INFERENCE_FCOS_HEAD_H_
