#include "inference/state_dict.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <string>
#include <vector>

#include "tests/inference/checkpoint/tiny_net.h"

namespace labelloop {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::vector<std::string> Keys(const NamedTensors& tensors) {
  std::vector<std::string> keys;
  for (const auto& [name, tensor] : tensors) keys.push_back(name);
  return keys;
}

// A deep copy, so that later changes to the module do not show through.
NamedTensors Snapshot(const torch::nn::Module& module) {
  NamedTensors out = ModuleStateDict(module);
  for (auto& [name, tensor] : out) tensor = tensor.clone();
  return out;
}

void ExpectSameTensors(const NamedTensors& a, const NamedTensors& b) {
  ASSERT_EQ(Keys(a), Keys(b));
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_TRUE(torch::equal(a[i].second, b[i].second)) << a[i].first;
  }
}

TEST(ModuleStateDictTest, FollowsPyTorchOrder) {
  TinyNet net;
  // Own parameters, then own buffers, then children (as torch.nn.Module.state_dict()).
  EXPECT_THAT(Keys(ModuleStateDict(*net)),
              ElementsAre("norm_mean", "steps", "stem.weight", "stem.bias",
                          "head.cls_logits.weight", "head.cls_logits.bias"));
}

TEST(NormalizeStateDictKeysTest, RewritesOldFpnSpellingAndDropsBatchCounters) {
  NamedTensors in;
  for (const char* key :
       {"backbone.fpn.inner_blocks.0.weight", "backbone.fpn.inner_blocks.2.bias",
        "backbone.fpn.layer_blocks.1.weight", "backbone.fpn.inner_blocks.0.0.weight",
        "backbone.fpn.extra_blocks.p6.weight", "backbone.body.bn1.num_batches_tracked",
        "head.inner_blocks.0.weight"}) {
    in.emplace_back(key, torch::zeros({1}));
  }
  EXPECT_THAT(
      Keys(NormalizeStateDictKeys(in)),
      ElementsAre("backbone.fpn.inner_blocks.0.0.weight", "backbone.fpn.inner_blocks.2.0.bias",
                  "backbone.fpn.layer_blocks.1.0.weight", "backbone.fpn.inner_blocks.0.0.weight",
                  "backbone.fpn.extra_blocks.p6.weight", "head.inner_blocks.0.weight"));
}

TEST(LoadStateDictTest, CopiesEverythingAndConvertsDtypes) {
  torch::manual_seed(1);
  TinyNet source;
  TinyNet target;
  NamedTensors tensors = Snapshot(*source);
  tensors[0].second = tensors[0].second.to(torch::kHalf);  // norm_mean as F16
  tensors[1].second = torch::tensor(int32_t{42});          // steps as I32
  ASSERT_TRUE(LoadStateDict(*target, tensors).ok());
  EXPECT_TRUE(torch::equal(target->stem->weight, source->stem->weight));
  EXPECT_TRUE(torch::equal(target->head->cls_logits->bias, source->head->cls_logits->bias));
  EXPECT_TRUE(torch::allclose(target->norm_mean, source->norm_mean, 1e-3, 1e-3));
  EXPECT_EQ(target->norm_mean.scalar_type(), torch::kFloat);
  EXPECT_EQ(target->steps.item<int64_t>(), 42);
  EXPECT_EQ(target->steps.scalar_type(), torch::kLong);
  // Loading must not break autograd bookkeeping: parameters stay leaves that require grad.
  EXPECT_TRUE(target->stem->weight.requires_grad());
  EXPECT_TRUE(target->stem->weight.is_leaf());
}

TEST(LoadStateDictTest, ClassCountMismatchNamesFirstTensorAndLeavesModuleUnchanged) {
  TinyNet checkpoint_net(3);
  TinyNet model(5);
  const NamedTensors before = Snapshot(*model);
  absl::Status status = LoadStateDict(*model, Snapshot(*checkpoint_net));
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(std::string(status.message()),
            "checkpoint tensor \"head.cls_logits.weight\" has shape [3, 8, 3, 3], model expects "
            "[5, 8, 3, 3] (class count differs: checkpoint 3, model 5)");
  ExpectSameTensors(Snapshot(*model), before);
}

TEST(LoadStateDictTest, OtherShapeMismatchHasNoClassHint) {
  TinyNet model;
  NamedTensors tensors = Snapshot(*model);
  tensors[2].second = torch::zeros({8, 3, 5, 5});
  const NamedTensors before = Snapshot(*model);
  absl::Status status = LoadStateDict(*model, tensors);
  EXPECT_EQ(std::string(status.message()),
            "checkpoint tensor \"stem.weight\" has shape [8, 3, 5, 5], model expects [8, 3, 3, 3]");
  ExpectSameTensors(Snapshot(*model), before);
}

TEST(LoadStateDictTest, MissingTensorIsRefused) {
  TinyNet model;
  NamedTensors tensors = Snapshot(*model);
  for (auto& [name, tensor] : tensors) tensor = tensor + 1;  // would change the module
  tensors.erase(tensors.begin() + 3);                        // stem.bias
  const NamedTensors before = Snapshot(*model);
  absl::Status status = LoadStateDict(*model, tensors);
  EXPECT_EQ(std::string(status.message()),
            "checkpoint has no tensor \"stem.bias\", which the model needs");
  ExpectSameTensors(Snapshot(*model), before);
}

TEST(LoadStateDictTest, UnexpectedTensorIsRefused) {
  TinyNet model;
  NamedTensors tensors = Snapshot(*model);
  tensors.insert(tensors.begin() + 2, {"stem.scale", torch::ones({8})});
  absl::Status status = LoadStateDict(*model, tensors);
  EXPECT_EQ(std::string(status.message()),
            "checkpoint tensor \"stem.scale\" does not exist in the model (unexpected key)");
}

TEST(LoadStateDictTest, DuplicateTensorIsRefused) {
  TinyNet model;
  NamedTensors tensors = Snapshot(*model);
  tensors.push_back(tensors[2]);
  EXPECT_THAT(LoadStateDict(*model, tensors).message(),
              HasSubstr("\"stem.weight\" appears more than once"));
}

TEST(LoadStateDictTest, FloatIntoIntegerBufferIsRefused) {
  TinyNet model;
  NamedTensors tensors = Snapshot(*model);
  tensors[1].second = torch::tensor(1.5f);
  const NamedTensors before = Snapshot(*model);
  absl::Status status = LoadStateDict(*model, tensors);
  EXPECT_EQ(std::string(status.message()),
            "checkpoint tensor \"steps\" has dtype Float, which does not convert to the "
            "model's Long");
  ExpectSameTensors(Snapshot(*model), before);
}

}  // namespace
}  // namespace labelloop
