// Parity of labelloop's FCOS with torchvision 0.14's, on the reference that fcos_reference.py
// writes (the CTest fixture runs it first and passes its directory in
// LABELLOOP_FCOS_REFERENCE_DIR).

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cstdlib>
#include <iostream>
#include <set>
#include <string>
#include <vector>

#include "inference/fcos.h"
#include "tests/inference/reference_tensors.h"

namespace labelloop {
namespace {

using testing::ReferenceData;

FcosOptions OptionsFromReference(const nlohmann::json& config) {
  FcosOptions options;
  options.backbone = config.at("backbone");
  options.num_classes = config.at("num_classes");
  options.fpn_channels = config.at("fpn_channels");
  options.head_convs = config.at("head_convs");
  options.min_size = config.at("min_size");
  options.max_size = config.at("max_size");
  options.score_thresh = config.at("score_thresh");
  options.nms_thresh = config.at("nms_thresh");
  options.detections_per_img = config.at("detections_per_img");
  options.topk_candidates = config.at("topk_candidates");
  return options;
}

// Our parameters and buffers by name, as a state_dict would list them.
std::map<std::string, torch::Tensor> StateOf(torch::nn::Module& module) {
  std::map<std::string, torch::Tensor> state;
  for (auto& item : module.named_parameters()) state[item.key()] = item.value();
  for (auto& item : module.named_buffers()) state[item.key()] = item.value();
  return state;
}

// A by-name load for this test only (the product's loader is the checkpoint code's job).
void LoadState(torch::nn::Module& module, const ReferenceData& reference) {
  torch::NoGradGuard no_grad;
  std::set<std::string> unused;
  for (const auto& [name, tensor] : reference.tensors) {
    if (name.rfind("state_dict/", 0) == 0) unused.insert(name.substr(11));
  }
  for (auto& [name, tensor] : StateOf(module)) {
    const auto& source = reference.at("state_dict/" + name);
    ASSERT_EQ(tensor.sizes(), source.sizes()) << name;
    tensor.copy_(source);
    unused.erase(name);
  }
  EXPECT_TRUE(unused.empty()) << "torchvision key not in our model: " << *unused.begin();
}

class FcosParityTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const char* dir = std::getenv("LABELLOOP_FCOS_REFERENCE_DIR");
    if (dir == nullptr) return;
    torch::set_num_threads(1);
    reference_ = new ReferenceData(testing::LoadReferenceData(dir));
  }
  static void TearDownTestSuite() {
    delete reference_;
    reference_ = nullptr;
  }
  void SetUp() override {
    if (reference_ == nullptr) GTEST_SKIP() << "LABELLOOP_FCOS_REFERENCE_DIR is not set";
  }

  static Fcos LoadedModel() {
    Fcos model(OptionsFromReference(reference_->meta.at("config")));
    LoadState(*model, *reference_);
    return model;
  }
  static torch::Tensor Image(int i) { return reference_->at("image/" + std::to_string(i)); }
  static DetectionTarget Target(int i) {
    const std::string prefix = "target/" + std::to_string(i) + "/";
    return {reference_->at(prefix + "boxes"), reference_->at(prefix + "labels")};
  }

  static ReferenceData* reference_;
};
ReferenceData* FcosParityTest::reference_ = nullptr;

TEST_F(FcosParityTest, StateDictKeysMatchTorchvision) {
  LoadedModel();  // LoadState checks both directions.
}

TEST_F(FcosParityTest, DetectionsMatchTorchvision) {
  Fcos model = LoadedModel();
  model->eval();
  std::vector<torch::Tensor> images;
  for (int i = 0; i < 4; ++i) images.push_back(Image(i));
  const auto detections = model->Detect(images);
  ASSERT_EQ(detections.size(), 4u);
  int64_t total = 0;
  for (int i = 0; i < 4; ++i) {
    SCOPED_TRACE("image " + std::to_string(i));
    const std::string prefix = "detections/" + std::to_string(i) + "/";
    const auto& expected_boxes = reference_->at(prefix + "boxes");
    const auto& expected_scores = reference_->at(prefix + "scores");
    const auto& expected_labels = reference_->at(prefix + "labels");
    const auto& d = detections[i];
    ASSERT_EQ(d.boxes.size(0), expected_boxes.size(0));
    total += d.boxes.size(0);
    EXPECT_TRUE(torch::equal(d.labels, expected_labels));
    std::cout << "image " << i << ": " << d.boxes.size(0) << " detections, max |score diff| "
              << (d.scores - expected_scores).abs().max().item<float>() << ", max |box diff| "
              << (d.boxes - expected_boxes).abs().max().item<float>() << "\n";
    EXPECT_TRUE(torch::allclose(d.scores, expected_scores, /*rtol=*/0, /*atol=*/1e-4))
        << (d.scores - expected_scores).abs().max().item<float>();
    EXPECT_TRUE(torch::allclose(d.boxes, expected_boxes, /*rtol=*/1e-3, /*atol=*/1e-3))
        << (d.boxes - expected_boxes).abs().max().item<float>();
  }
  EXPECT_GT(total, 50) << "too few detections for a meaningful comparison";
}

TEST_F(FcosParityTest, LossesMatchTorchvision) {
  Fcos model = LoadedModel();
  model->train();
  const std::vector<std::pair<std::string, std::vector<int>>> cases = {{"two_images", {0, 1}},
                                                                       {"with_empty", {2, 3}}};
  for (const auto& [name, image_ids] : cases) {
    SCOPED_TRACE(name);
    std::vector<torch::Tensor> images;
    std::vector<DetectionTarget> targets;
    for (int i : image_ids) {
      images.push_back(Image(i));
      targets.push_back(Target(i));
    }
    const auto losses = model->Losses(images, targets);
    const auto& expected = reference_->meta.at("losses").at(name);
    auto check = [&](const char* key, const torch::Tensor& value) {
      const double want = expected.at(key);
      EXPECT_NEAR(value.item<double>(), want, 1e-4 * std::abs(want)) << key;
      std::cout << name << " " << key << ": " << value.item<double>() << " vs torchvision " << want
                << "\n";
    };
    check("classification", losses.classification);
    check("bbox_regression", losses.bbox_regression);
    check("bbox_ctrness", losses.bbox_ctrness);
  }
}

TEST_F(FcosParityTest, GradientsReachOnlyTrainableLayers) {
  Fcos model = LoadedModel();
  model->train();
  auto losses = model->Losses({Image(0)}, {Target(0)});
  losses.Total().backward();
  for (auto& item : model->named_parameters()) {
    const std::string& name = item.key();
    const bool frozen =
        name.rfind("backbone.body.conv1", 0) == 0 || name.rfind("backbone.body.layer1", 0) == 0;
    EXPECT_EQ(item.value().requires_grad(), !frozen) << name;
    if (!frozen) {
      ASSERT_TRUE(item.value().grad().defined()) << name;
      EXPECT_TRUE(torch::isfinite(item.value().grad()).all().item<bool>()) << name;
    }
  }
}

TEST_F(FcosParityTest, ResizedSizesMatchTorchvision) {
  for (const auto& c : reference_->meta.at("resize_cases")) {
    FcosOptions options;
    options.min_size = c[2];
    options.max_size = c[3];
    const ImageSize size = ImageTransform(options).ResizedSize({c[0], c[1]});
    EXPECT_EQ(size, (ImageSize{c[4], c[5]})) << c.dump();
  }
}

// Our module names for the torchvision-sized variants, against torchvision's own state_dict.
void ExpectKeysMatch(const FcosOptions& options, const nlohmann::json& torchvision_keys) {
  Fcos model(options);
  auto ours = StateOf(*model);
  EXPECT_EQ(ours.size(), torchvision_keys.size());
  for (const auto& [key, shape] : torchvision_keys.items()) {
    auto it = ours.find(key);
    ASSERT_NE(it, ours.end()) << "missing " << key;
    EXPECT_EQ(it->second.sizes().vec(), shape.get<std::vector<int64_t>>()) << key;
  }
}

TEST_F(FcosParityTest, Resnet50KeysMatchFcosResnet50Fpn) {
  ExpectKeysMatch(FcosOptions::TorchvisionResnet50(91),
                  reference_->meta.at("torchvision_keys").at("resnet50"));
}

TEST_F(FcosParityTest, Resnet34KeysMatchTorchvision) {
  FcosOptions options = FcosOptions::TorchvisionResnet50(5);
  options.backbone = "resnet34";
  ExpectKeysMatch(options, reference_->meta.at("torchvision_keys").at("resnet34"));
}

}  // namespace
}  // namespace labelloop
