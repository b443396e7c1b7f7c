#include "inference/frozen_batch_norm.h"

#include <torch/torch.h>

namespace labelloop {

FrozenBatchNorm2dImpl::FrozenBatchNorm2dImpl(int64_t num_features, double eps) : eps_(eps) {
  weight_ = register_buffer("weight", torch::ones({num_features}));
  bias_ = register_buffer("bias", torch::zeros({num_features}));
  running_mean_ = register_buffer("running_mean", torch::zeros({num_features}));
  running_var_ = register_buffer("running_var", torch::ones({num_features}));
}

torch::Tensor FrozenBatchNorm2dImpl::forward(const torch::Tensor& x) {
  // Same operation order as torchvision so results agree to the last bit.
  auto w = weight_.reshape({1, -1, 1, 1});
  auto b = bias_.reshape({1, -1, 1, 1});
  auto rv = running_var_.reshape({1, -1, 1, 1});
  auto rm = running_mean_.reshape({1, -1, 1, 1});
  auto scale = w * (rv + eps_).rsqrt();
  auto shift = b - rm * scale;
  return x * scale + shift;
}

}  // namespace labelloop
