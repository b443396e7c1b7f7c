#ifndef LABELLOOP_TESTS_INFERENCE_CHECKPOINT_TINY_NET_H_
#define LABELLOOP_TESTS_INFERENCE_CHECKPOINT_TINY_NET_H_

#include <torch/torch.h>

namespace labelloop {

// A module small enough to reason about in tests, shaped like the parts of FCOS the checkpoint
// code cares about: nested children, float and integer buffers, and a "cls_logits" layer whose
// first dimension is the class count. State dict keys:
//   stem.weight [8, 3, 3, 3], stem.bias [8], norm_mean [8], steps [] (int64),
//   head.cls_logits.weight [classes, 8, 3, 3], head.cls_logits.bias [classes]
struct TinyHeadImpl : torch::nn::Module {
  explicit TinyHeadImpl(int64_t classes)
      : cls_logits(register_module("cls_logits",
                                   torch::nn::Conv2d(torch::nn::Conv2dOptions(8, classes, 3)))) {}
  torch::nn::Conv2d cls_logits;
};
TORCH_MODULE(TinyHead);

struct TinyNetImpl : torch::nn::Module {
  explicit TinyNetImpl(int64_t classes = 5)
      : stem(register_module("stem", torch::nn::Conv2d(torch::nn::Conv2dOptions(3, 8, 3)))),
        norm_mean(register_buffer("norm_mean", torch::randn({8}))),
        steps(register_buffer("steps", torch::tensor(int64_t{11}))),
        head(register_module("head", TinyHead(classes))) {}
  torch::nn::Conv2d stem;
  torch::Tensor norm_mean;
  torch::Tensor steps;
  TinyHead head;
};
TORCH_MODULE(TinyNet);

}  // namespace labelloop

#endif  // LABELLOOP_TESTS_INFERENCE_CHECKPOINT_TINY_NET_H_
