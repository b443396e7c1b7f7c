#include "inference/resnet.h"

#include <torch/torch.h>

#include <algorithm>
#include <array>

namespace labelloop {
namespace {

namespace nn = torch::nn;

nn::Conv2d Conv(int64_t in, int64_t out, int64_t kernel, int64_t stride, int64_t padding) {
  return nn::Conv2d(nn::Conv2dOptions(in, out, kernel).stride(stride).padding(padding).bias(false));
}

// torchvision's downsample branch: 1x1 conv with stride then a norm, as Sequential("0", "1").
nn::Sequential Downsample(int64_t in, int64_t out, int64_t stride) {
  return nn::Sequential(Conv(in, out, 1, stride, 0), FrozenBatchNorm2d(out));
}

template <typename Block>
nn::Sequential MakeLayer(int64_t& in_planes, int64_t planes, int blocks, int64_t stride) {
  nn::Sequential layer;
  layer->push_back(Block(in_planes, planes, stride));
  in_planes = planes * Block::Impl::kExpansion;
  for (int i = 1; i < blocks; ++i) layer->push_back(Block(in_planes, planes, 1));
  return layer;
}

}  // namespace

BasicBlockImpl::BasicBlockImpl(int64_t in_planes, int64_t planes, int64_t stride) {
  conv1_ = register_module("conv1", Conv(in_planes, planes, 3, stride, 1));
  bn1_ = register_module("bn1", FrozenBatchNorm2d(planes));
  conv2_ = register_module("conv2", Conv(planes, planes, 3, 1, 1));
  bn2_ = register_module("bn2", FrozenBatchNorm2d(planes));
  if (stride != 1 || in_planes != planes * kExpansion) {
    downsample_ = register_module("downsample", Downsample(in_planes, planes * kExpansion, stride));
  }
}

torch::Tensor BasicBlockImpl::forward(const torch::Tensor& x) {
  auto out = torch::relu(bn1_(conv1_(x)));
  out = bn2_(conv2_(out));
  out += downsample_ ? downsample_->forward(x) : x;
  return torch::relu(out);
}

BottleneckImpl::BottleneckImpl(int64_t in_planes, int64_t planes, int64_t stride) {
  conv1_ = register_module("conv1", Conv(in_planes, planes, 1, 1, 0));
  bn1_ = register_module("bn1", FrozenBatchNorm2d(planes));
  conv2_ = register_module("conv2", Conv(planes, planes, 3, stride, 1));
  bn2_ = register_module("bn2", FrozenBatchNorm2d(planes));
  conv3_ = register_module("conv3", Conv(planes, planes * kExpansion, 1, 1, 0));
  bn3_ = register_module("bn3", FrozenBatchNorm2d(planes * kExpansion));
  if (stride != 1 || in_planes != planes * kExpansion) {
    downsample_ = register_module("downsample", Downsample(in_planes, planes * kExpansion, stride));
  }
}

torch::Tensor BottleneckImpl::forward(const torch::Tensor& x) {
  auto out = torch::relu(bn1_(conv1_(x)));
  out = torch::relu(bn2_(conv2_(out)));
  out = bn3_(conv3_(out));
  out += downsample_ ? downsample_->forward(x) : x;
  return torch::relu(out);
}

ResNetBodyImpl::ResNetBodyImpl(int depth) {
  std::array<int, 4> blocks;
  bool bottleneck = false;
  switch (depth) {
    case 18:
      blocks = {2, 2, 2, 2};
      break;
    case 34:
      blocks = {3, 4, 6, 3};
      break;
    case 50:
      blocks = {3, 4, 6, 3};
      bottleneck = true;
      break;
    default:
      TORCH_CHECK(false, "backbone: unsupported ResNet depth ", depth);
  }
  conv1_ = register_module("conv1", Conv(3, 64, 7, 2, 3));
  bn1_ = register_module("bn1", FrozenBatchNorm2d(64));
  int64_t in_planes = 64;
  auto make = [&](int64_t planes, int n, int64_t stride) {
    return bottleneck ? MakeLayer<Bottleneck>(in_planes, planes, n, stride)
                      : MakeLayer<BasicBlock>(in_planes, planes, n, stride);
  };
  layer1_ = register_module("layer1", make(64, blocks[0], 1));
  layer2_ = register_module("layer2", make(128, blocks[1], 2));
  out_channels_.push_back(in_planes);
  layer3_ = register_module("layer3", make(256, blocks[2], 2));
  out_channels_.push_back(in_planes);
  layer4_ = register_module("layer4", make(512, blocks[3], 2));
  out_channels_.push_back(in_planes);

  // torchvision's ResNet init (kaiming normal, fan_out); frozen norms start as identity.
  for (auto& module : modules(/*include_self=*/false)) {
    if (auto* conv = module->as<nn::Conv2d>()) {
      nn::init::kaiming_normal_(conv->weight, 0.0, torch::kFanOut, torch::kReLU);
    }
  }
}

std::vector<torch::Tensor> ResNetBodyImpl::forward(const torch::Tensor& x) {
  auto out = torch::relu(bn1_(conv1_(x)));
  out = torch::max_pool2d(out, /*kernel_size=*/3, /*stride=*/2, /*padding=*/1);
  out = layer1_->forward(out);
  auto c3 = layer2_->forward(out);
  auto c4 = layer3_->forward(c3);
  auto c5 = layer4_->forward(c4);
  return {c3, c4, c5};
}

void ResNetBodyImpl::FreezeAllBut(int trainable_layers) {
  TORCH_CHECK(trainable_layers >= 0 && trainable_layers <= 5,
              "trainable_backbone_layers: must be in [0, 5], got ", trainable_layers);
  std::vector<std::string> trained = {"layer4", "layer3", "layer2", "layer1", "conv1"};
  trained.resize(std::min<size_t>(trainable_layers, trained.size()));
  if (trainable_layers == 5) trained.push_back("bn1");
  for (auto& item : named_parameters(/*recurse=*/true)) {
    const std::string& name = item.key();
    bool train = std::any_of(trained.begin(), trained.end(), [&](const std::string& prefix) {
      return name.compare(0, prefix.size(), prefix) == 0;
    });
    if (!train) item.value().set_requires_grad(false);
  }
}

}  // namespace labelloop
