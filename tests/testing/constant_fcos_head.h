#ifndef LABELLOOP_TESTS_TESTING_CONSTANT_FCOS_HEAD_H_
#define LABELLOOP_TESTS_TESTING_CONSTANT_FCOS_HEAD_H_

// Header-only on purpose: only tests that already build an Fcos (and so include torch) use it,
// and the torch-free test library stays torch-free.

#include <torch/torch.h>

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "inference/fcos.h"
#include "inference/state_dict.h"

namespace labelloop::testing {

// Makes `model`'s head predict the same thing at every location, whatever the image: the
// logits `class_logits` (class channel, logit; channels not named keep their initial prior
// bias), centerness logit `centerness_logit`,
// and a box of the same size around each location. Tests use it for a model whose outputs they
// know without training one.
inline void MakeHeadConstant(Fcos& model,
                             const std::vector<std::pair<int64_t, float>>& class_logits,
                             float centerness_logit) {
  torch::NoGradGuard no_grad;
  for (auto& [name, tensor] : ModuleStateDict(*model)) {
    if (name.rfind("head.", 0) != 0) continue;
    // The output layers' weights go to zero, so only their biases speak.
    if (absl::EndsWith(name, ".weight") && name.find("conv") == std::string::npos) {
      tensor.zero_();
    }
    if (name == "head.classification_head.cls_logits.bias") {
      for (const auto& [channel, logit] : class_logits) tensor[channel].fill_(logit);
    }
    if (name == "head.regression_head.bbox_ctrness.bias") tensor.fill_(centerness_logit);
    if (name == "head.regression_head.bbox_reg.bias") tensor.fill_(1.0f);
  }
}

}  // namespace labelloop::testing

#endif  // LABELLOOP_TESTS_TESTING_CONSTANT_FCOS_HEAD_H_
