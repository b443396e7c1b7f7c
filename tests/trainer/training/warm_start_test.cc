#include <torch/torch.h>

#include "absl/strings/match.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "inference/checkpoint.h"
#include "inference/checkpoint_metadata.h"
#include "inference/fcos.h"
#include "inference/safetensors.h"
#include "inference/state_dict.h"
#include "tests/common/temp_dir.h"
#include "trainer/training_warm_start.h"

namespace labelloop {
namespace {

using ::testing::HasSubstr;

constexpr const char kClsWeight[] = "head.classification_head.cls_logits.weight";

FcosOptions Small(int64_t classes_with_background, const std::string& backbone = "resnet18") {
  FcosOptions options;
  options.backbone = backbone;
  options.num_classes = classes_with_background;
  options.fpn_channels = 32;
  options.head_convs = 1;
  return options;
}

torch::Tensor Get(const torch::nn::Module& module, const std::string& name) {
  for (auto& [key, tensor] : ModuleStateDict(module)) {
    if (key == name) return tensor;
  }
  ADD_FAILURE() << "no tensor " << name;
  return torch::Tensor();
}

class WarmStartTest : public ::testing::Test {
 protected:
  void SetUp() override {
    torch::manual_seed(1);
    source_ = Fcos(Small(4));
    // Distinct values per classifier row, so carried-over rows can be told apart.
    torch::NoGradGuard no_grad;
    torch::Tensor w = Get(*source_, kClsWeight);
    for (int64_t row = 0; row < 4; ++row) w[row].fill_(static_cast<float>(row + 1));
  }
  std::string Save(const std::string& name, std::vector<std::string> class_names) {
    const std::string path = dir_.path() + "/" + name;
    SafetensorsMetadata metadata;
    if (!class_names.empty()) {
      CheckpointInfo info;
      info.class_names = std::move(class_names);
      metadata = ToSafetensorsMetadata(info);
    }
    EXPECT_TRUE(SaveCheckpoint(*source_, path, metadata).ok());
    return path;
  }

  TempDir dir_;
  Fcos source_{nullptr};
};

TEST_F(WarmStartTest, SameClassesLoadEverything) {
  const std::string path = Save("same.safetensors", {"a", "b", "c"});
  Fcos target(Small(4));
  absl::StatusOr<std::string> message = LoadWarmStartWeights(*target, path, {"a", "b", "c"});
  ASSERT_TRUE(message.ok()) << message.status();
  EXPECT_EQ(*message, "warm start from " + path);
  for (auto& [name, tensor] : ModuleStateDict(*source_)) {
    EXPECT_TRUE(torch::equal(tensor, Get(*target, name))) << name;
  }
}

TEST_F(WarmStartTest, ChangedClassesKeepRowsByName) {
  const std::string path = Save("named.safetensors", {"a", "b", "c"});
  torch::manual_seed(2);
  Fcos target(Small(4));
  const torch::Tensor fresh = Get(*target, kClsWeight).clone();
  absl::StatusOr<std::string> message = LoadWarmStartWeights(*target, path, {"c", "a", "new"});
  ASSERT_TRUE(message.ok()) << message.status();
  EXPECT_THAT(*message, HasSubstr("cls_logits rows kept for c, a"));
  const torch::Tensor w = Get(*target, kClsWeight);
  EXPECT_TRUE(torch::all(w[0] == 1).item<bool>());  // background row
  EXPECT_TRUE(torch::all(w[1] == 4).item<bool>());  // "c" was row 3
  EXPECT_TRUE(torch::all(w[2] == 2).item<bool>());  // "a" was row 1
  EXPECT_TRUE(torch::equal(w[3], fresh[3]));        // "new" stays fresh
  const std::string fpn = "backbone.fpn.layer_blocks.0.0.weight";
  EXPECT_TRUE(torch::equal(Get(*target, fpn), Get(*source_, fpn)));

  // More classes than before: rows carried over, the added one fresh.
  Fcos bigger(Small(6));
  absl::StatusOr<std::string> grown =
      LoadWarmStartWeights(*bigger, path, {"a", "b", "c", "d", "e"});
  ASSERT_TRUE(grown.ok()) << grown.status();
  EXPECT_THAT(*grown, HasSubstr("classes changed (3 -> 5)"));
  EXPECT_TRUE(torch::all(Get(*bigger, kClsWeight)[3] == 4).item<bool>());
}

TEST_F(WarmStartTest, RenamedMergedAndDeletedClassesMoveTheirRowsByName) {
  // Distinct biases too, so that both tensors of the layer are checked.
  {
    torch::NoGradGuard no_grad;
    torch::Tensor bias = Get(*source_, "head.classification_head.cls_logits.bias");
    for (int64_t row = 0; row < 4; ++row) bias[row].fill_(static_cast<float>(10 * (row + 1)));
  }
  const std::string path = Save("changed.safetensors", {"a", "b", "c"});
  // Since the file: "a" renamed "alpha", "b" merged with "c" into new "bc" ... then "c" was
  // not kept on its own; "d" added. So: alpha <- a, bc <- mean(b, c), d fresh.
  auto now_called = [](const std::string& name) -> std::string {
    if (name == "a") return "alpha";
    if (name == "b" || name == "c") return "bc";
    return name;
  };
  torch::manual_seed(5);
  Fcos target(Small(4));
  const torch::Tensor fresh_w = Get(*target, kClsWeight).clone();
  const torch::Tensor fresh_b = Get(*target, "head.classification_head.cls_logits.bias").clone();
  absl::StatusOr<std::string> message =
      LoadWarmStartWeights(*target, path, {"d", "alpha", "bc"}, now_called);
  ASSERT_TRUE(message.ok()) << message.status();
  EXPECT_THAT(*message, HasSubstr("rows kept for alpha (from a), bc (from b + c)"));
  const torch::Tensor w = Get(*target, kClsWeight);
  const torch::Tensor b = Get(*target, "head.classification_head.cls_logits.bias");
  EXPECT_TRUE(torch::all(w[0] == 1).item<bool>());  // background
  EXPECT_TRUE(torch::equal(w[1], fresh_w[1]));      // "d": FCOS initialisation
  EXPECT_TRUE(torch::equal(b[1], fresh_b[1]));
  EXPECT_NEAR(b[1].item<float>(), -std::log((1 - 0.01) / 0.01), 1e-5);  // prior probability
  EXPECT_TRUE(torch::all(w[2] == 2).item<bool>());                      // "alpha" was "a", row 1
  EXPECT_FLOAT_EQ(b[2].item<float>(), 20);
  EXPECT_TRUE(torch::all(w[3] == 3.5).item<bool>());  // "bc": mean of rows 2 and 3
  EXPECT_FLOAT_EQ(b[3].item<float>(), 35);

  // A deleted class's row is dropped; an exact name wins over a traced one.
  Fcos smaller(Small(3));
  absl::StatusOr<std::string> dropped = LoadWarmStartWeights(
      *smaller, path, {"c", "alpha"}, [](const std::string& name) -> std::string {
        return name == "b" ? "" : name == "a" ? "alpha" : name;
      });
  ASSERT_TRUE(dropped.ok()) << dropped.status();
  const torch::Tensor w2 = Get(*smaller, kClsWeight);
  EXPECT_TRUE(torch::all(w2[1] == 4).item<bool>());  // "c" was row 3
  EXPECT_TRUE(torch::all(w2[2] == 2).item<bool>());  // "alpha" was "a"
  EXPECT_THAT(*dropped, HasSubstr("classes changed (3 -> 2)"));
}

TEST_F(WarmStartTest, UnnamedCheckpointWithOtherClassCountLeavesTheClassifierFresh) {
  const std::string path = Save("unnamed.safetensors", {});
  torch::manual_seed(3);
  Fcos target(Small(6));
  const torch::Tensor fresh = Get(*target, kClsWeight).clone();
  absl::StatusOr<std::string> message =
      LoadWarmStartWeights(*target, path, {"a", "b", "c", "d", "e"});
  ASSERT_TRUE(message.ok()) << message.status();
  EXPECT_THAT(*message, HasSubstr("its classifier (3 classes) does not match the project's 5"));
  EXPECT_THAT(*message, HasSubstr("cls_logits starts freshly initialised"));
  EXPECT_TRUE(torch::equal(Get(*target, kClsWeight), fresh));
  const std::string conv = "backbone.body.layer1.0.conv1.weight";
  EXPECT_TRUE(torch::equal(Get(*target, conv), Get(*source_, conv)));
}

TEST_F(WarmStartTest, PlainResNetLoadsAsTheBackbone) {
  NamedTensors resnet;
  for (auto& [name, tensor] : ModuleStateDict(*source_)) {
    if (absl::StartsWith(name, "backbone.body.")) {
      resnet.emplace_back(name.substr(std::string("backbone.body.").size()), tensor);
    }
  }
  resnet.emplace_back("fc.weight", torch::zeros({1000, 512}));
  resnet.emplace_back("fc.bias", torch::zeros({1000}));
  const std::string path = dir_.path() + "/resnet18.safetensors";
  ASSERT_TRUE(WriteSafetensors(path, resnet, {}).ok());
  torch::manual_seed(4);
  Fcos target(Small(3));
  const std::string fpn = "backbone.fpn.layer_blocks.0.0.weight";
  const torch::Tensor fresh_fpn = Get(*target, fpn).clone();
  absl::StatusOr<std::string> message = LoadWarmStartWeights(*target, path, {"x", "y"});
  ASSERT_TRUE(message.ok()) << message.status();
  EXPECT_THAT(*message, HasSubstr("loaded a ResNet backbone"));
  const std::string conv = "backbone.body.layer4.1.conv2.weight";
  EXPECT_TRUE(torch::equal(Get(*target, conv), Get(*source_, conv)));
  EXPECT_TRUE(torch::equal(Get(*target, fpn), fresh_fpn));
}

TEST_F(WarmStartTest, OtherArchitectureIsRefusedAndNothingChanges) {
  const std::string path = Save("r18.safetensors", {"a", "b", "c"});
  Fcos target(Small(4, "resnet34"));
  const NamedTensors before = ModuleStateDict(*target);
  std::vector<torch::Tensor> copies;
  for (auto& entry : before) copies.push_back(entry.second.clone());
  absl::StatusOr<std::string> message = LoadWarmStartWeights(*target, path, {"a", "b", "c"});
  ASSERT_FALSE(message.ok());
  EXPECT_THAT(message.status().message(), HasSubstr(path));
  EXPECT_THAT(message.status().message(), HasSubstr("backbone.body.layer"));
  for (size_t i = 0; i < before.size(); ++i) {
    EXPECT_TRUE(torch::equal(before[i].second, copies[i])) << before[i].first;
  }
}

TEST_F(WarmStartTest, MissingFileNamesThePath) {
  Fcos target(Small(4));
  absl::StatusOr<std::string> message =
      LoadWarmStartWeights(*target, dir_.path() + "/absent.pth", {"a", "b", "c"});
  ASSERT_FALSE(message.ok());
  EXPECT_THAT(message.status().message(), HasSubstr("absent.pth"));
}

}  // namespace
}  // namespace labelloop
