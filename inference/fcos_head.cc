#include "inference/fcos_head.h"

#include <torch/torch.h>

#include <cmath>

namespace labelloop {
namespace {

namespace nn = torch::nn;

nn::Conv2d HeadConv(int64_t in, int64_t out) {
  nn::Conv2d conv(nn::Conv2dOptions(in, out, 3).stride(1).padding(1));
  nn::init::normal_(conv->weight, /*mean=*/0, /*std=*/0.01);
  nn::init::constant_(conv->bias, 0);
  return conv;
}

// The shared tower: children "0", "1", "2" = conv, GroupNorm, ReLU, repeated.
nn::Sequential Tower(int64_t channels, int64_t num_convs) {
  TORCH_CHECK(channels % 32 == 0,
              "fpn_channels: the FCOS head uses GroupNorm(32, C), so C must be "
              "a multiple of 32, got ",
              channels);
  nn::Sequential tower;
  for (int64_t i = 0; i < num_convs; ++i) {
    tower->push_back(HeadConv(channels, channels));
    tower->push_back(nn::GroupNorm(nn::GroupNormOptions(32, channels)));
    tower->push_back(nn::ReLU());
  }
  return tower;
}

// (N, K, H, W) -> (N, HW, K): torchvision's view/permute/reshape with one anchor per location.
torch::Tensor Flatten(const torch::Tensor& x, int64_t k) {
  const int64_t n = x.size(0), h = x.size(2), w = x.size(3);
  return x.view({n, -1, k, h, w}).permute({0, 3, 4, 1, 2}).reshape({n, -1, k});
}

torch::Tensor ApplyTower(nn::Sequential& tower, const torch::Tensor& x) {
  return tower->is_empty() ? x : tower->forward(x);
}

}  // namespace

FcosClassificationHeadImpl::FcosClassificationHeadImpl(int64_t channels, int64_t num_classes,
                                                       int64_t num_convs, double prior_probability)
    : num_classes_(num_classes) {
  conv_ = register_module("conv", Tower(channels, num_convs));
  cls_logits_ = register_module("cls_logits", HeadConv(channels, num_classes));
  // Focal loss starts from a low foreground prior so early training is not swamped by
  // background (RetinaNet's trick, kept by torchvision).
  nn::init::constant_(cls_logits_->bias, -std::log((1 - prior_probability) / prior_probability));
}

torch::Tensor FcosClassificationHeadImpl::forward(const std::vector<torch::Tensor>& features) {
  std::vector<torch::Tensor> per_level;
  per_level.reserve(features.size());
  for (const auto& f : features) {
    per_level.push_back(Flatten(cls_logits_(ApplyTower(conv_, f)), num_classes_));
  }
  return torch::cat(per_level, 1);
}

FcosRegressionHeadImpl::FcosRegressionHeadImpl(int64_t channels, int64_t num_convs) {
  conv_ = register_module("conv", Tower(channels, num_convs));
  bbox_reg_ = register_module("bbox_reg", HeadConv(channels, 4));
  // Departure from torchvision's init (bias 0): its boxes start as points (the ReLU of ~0), where
  // the GIoU gradient of each side is proportional to the other side's length, so training from
  // scratch (no ImageNet weights on this machine) sits at box loss ~1.0 for many steps. A bias
  // of 0.5 starts every box at its anchor's size. Loaded weights overwrite it either way, so
  // parity with torchvision is unaffected.
  nn::init::constant_(bbox_reg_->bias, 0.5);
  bbox_ctrness_ = register_module("bbox_ctrness", HeadConv(channels, 1));
}

std::pair<torch::Tensor, torch::Tensor> FcosRegressionHeadImpl::forward(
    const std::vector<torch::Tensor>& features) {
  std::vector<torch::Tensor> regression, ctrness;
  regression.reserve(features.size());
  ctrness.reserve(features.size());
  for (const auto& f : features) {
    auto tower = ApplyTower(conv_, f);
    regression.push_back(Flatten(torch::relu(bbox_reg_(tower)), 4));
    ctrness.push_back(Flatten(bbox_ctrness_(tower), 1));
  }
  return {torch::cat(regression, 1), torch::cat(ctrness, 1)};
}

FcosHeadImpl::FcosHeadImpl(int64_t channels, int64_t num_classes, int64_t num_convs) {
  classification_head_ = register_module("classification_head",
                                         FcosClassificationHead(channels, num_classes, num_convs));
  regression_head_ = register_module("regression_head", FcosRegressionHead(channels, num_convs));
}

FcosHeadOutputs FcosHeadImpl::forward(const std::vector<torch::Tensor>& features) {
  FcosHeadOutputs out;
  out.cls_logits = classification_head_(features);
  std::tie(out.bbox_regression, out.bbox_ctrness) = regression_head_(features);
  return out;
}

}  // namespace labelloop
