#include "inference/feature_pyramid.h"

#include <torch/torch.h>

namespace labelloop {
namespace {

namespace nn = torch::nn;

// torchvision initialises every FPN conv with kaiming_uniform_(a=1) and zero bias.
nn::Conv2d FpnConv(int64_t in, int64_t out, int64_t kernel, int64_t stride, int64_t padding) {
  nn::Conv2d conv(nn::Conv2dOptions(in, out, kernel).stride(stride).padding(padding));
  nn::init::kaiming_uniform_(conv->weight, /*a=*/1);
  nn::init::constant_(conv->bias, 0);
  return conv;
}

}  // namespace

LastLevelP6P7Impl::LastLevelP6P7Impl(int64_t channels) {
  p6_ = register_module("p6", FpnConv(channels, channels, 3, 2, 1));
  p7_ = register_module("p7", FpnConv(channels, channels, 3, 2, 1));
}

void LastLevelP6P7Impl::forward(std::vector<torch::Tensor>& pyramid) {
  auto p6 = p6_(pyramid.back());
  auto p7 = p7_(torch::relu(p6));
  pyramid.push_back(std::move(p6));
  pyramid.push_back(std::move(p7));
}

FeaturePyramidImpl::FeaturePyramidImpl(const std::vector<int64_t>& in_channels,
                                       int64_t out_channels) {
  inner_blocks_ = register_module("inner_blocks", nn::ModuleList());
  layer_blocks_ = register_module("layer_blocks", nn::ModuleList());
  for (int64_t in : in_channels) {
    TORCH_CHECK(in > 0, "FPN input with ", in, " channels");
    inner_convs_.push_back(FpnConv(in, out_channels, 1, 1, 0));
    layer_convs_.push_back(FpnConv(out_channels, out_channels, 3, 1, 1));
    inner_blocks_->push_back(nn::Sequential(inner_convs_.back()));
    layer_blocks_->push_back(nn::Sequential(layer_convs_.back()));
  }
  extra_blocks_ = register_module("extra_blocks", LastLevelP6P7(out_channels));
}

std::vector<torch::Tensor> FeaturePyramidImpl::forward(const std::vector<torch::Tensor>& x) {
  TORCH_CHECK(x.size() == inner_convs_.size(), "FPN expects ", inner_convs_.size(),
              " feature maps, got ", x.size());
  const int last = static_cast<int>(x.size()) - 1;
  std::vector<torch::Tensor> results(x.size());
  auto last_inner = inner_convs_[last](x[last]);
  results[last] = layer_convs_[last](last_inner);
  for (int idx = last - 1; idx >= 0; --idx) {
    auto inner_lateral = inner_convs_[idx](x[idx]);
    auto top_down =
        torch::upsample_nearest2d(last_inner, {inner_lateral.size(-2), inner_lateral.size(-1)});
    last_inner = inner_lateral + top_down;
    results[idx] = layer_convs_[idx](last_inner);
  }
  extra_blocks_(results);
  return results;
}

}  // namespace labelloop
