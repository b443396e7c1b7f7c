#ifndef LABELLOOP_INFERENCE_FROZEN_BATCH_NORM_H_
#define LABELLOOP_INFERENCE_FROZEN_BATCH_NORM_H_

#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

namespace labelloop {

// torchvision.ops.FrozenBatchNorm2d: batch norm with fixed statistics and affine terms, all four
// held as buffers (weight, bias, running_mean, running_var) so they never train and the
// state_dict keys match torchvision's detection backbones. Small detection batches make real
// batch statistics useless, which is why torchvision freezes them.
class FrozenBatchNorm2dImpl : public torch::nn::Module {
 public:
  explicit FrozenBatchNorm2dImpl(int64_t num_features, double eps = 1e-5);
  torch::Tensor forward(const torch::Tensor& x);

 private:
  double eps_;
  torch::Tensor weight_, bias_, running_mean_, running_var_;
};
TORCH_MODULE(FrozenBatchNorm2d);

}  // namespace labelloop

#endif  // LABELLOOP_INFERENCE_FROZEN_BATCH_NORM_H_
