// The checkpoint code against the real detector: torchvision files load into our FCOS, our
// files load into torchvision's FCOS (strict) and give the same detections, and refused files
// leave the model as it was.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "inference/checkpoint.h"
#include "inference/checkpoint_metadata.h"
#include "inference/fcos.h"
#include "inference/safetensors.h"
#include "inference/state_dict.h"
#include "tests/inference/checkpoint/fixtures_dir.h"

namespace labelloop {
namespace {

using ::testing::HasSubstr;

// Mirrors build_model() in checkpoint_fixtures.py.
FcosOptions SmallFcosOptions(int64_t num_classes) {
  FcosOptions options;
  options.backbone = "resnet18";
  options.num_classes = num_classes;
  options.fpn_channels = 64;
  options.head_convs = 2;
  options.min_size = 320;
  options.max_size = 512;
  options.score_thresh = 0.2;
  options.nms_thresh = 0.6;
  options.detections_per_img = 100;
  options.topk_candidates = 1000;
  return options;
}

NamedTensors Snapshot(const torch::nn::Module& module) {
  NamedTensors out = ModuleStateDict(module);
  for (auto& [name, tensor] : out) tensor = tensor.clone();
  return out;
}

bool SameTensors(const NamedTensors& a, const NamedTensors& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].first != b[i].first || !torch::equal(a[i].second, b[i].second)) return false;
  }
  return true;
}

class CheckpointFcosTest : public ::testing::Test {
 protected:
  void SetUp() override {
    torch::set_num_threads(1);
    dir_ = std::filesystem::temp_directory_path() /
           ("checkpoint_fcos_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string Path(const std::string& name) const { return (dir_ / name).string(); }

  std::filesystem::path dir_;
};

TEST_F(CheckpointFcosTest, TorchvisionPthLoadsInBothSpellings) {
  auto reference = ReadSafetensors(FixturePath("reference.safetensors"));
  ASSERT_TRUE(reference.ok()) << reference.status();
  for (const char* file : {"new.pth", "old.pth", "legacy.pth"}) {
    SCOPED_TRACE(file);
    Fcos model(SmallFcosOptions(4));
    auto metadata = LoadCheckpointInto(*model, FixturePath(file));
    ASSERT_TRUE(metadata.ok()) << metadata.status();
    // Our module order is torchvision's state_dict order, so the snapshot equals the file.
    EXPECT_TRUE(SameTensors(Snapshot(*model), reference->tensors));
  }
}

TEST_F(CheckpointFcosTest, TorchvisionSizedFileLoadsUnchanged) {
  auto raw = LoadCheckpoint(FixturePath("fcos_resnet50_fpn.pth"));
  ASSERT_TRUE(raw.ok()) << raw.status();
  Fcos model(FcosOptions::TorchvisionResnet50());
  ASSERT_TRUE(LoadStateDict(*model, raw->tensors).ok());
  std::map<std::string, torch::Tensor> loaded;
  for (auto& [name, tensor] : ModuleStateDict(*model)) loaded[name] = tensor;
  ASSERT_EQ(loaded.size(), raw->tensors.size());
  for (const auto& [name, tensor] : raw->tensors) {
    EXPECT_TRUE(torch::equal(loaded.at(name), tensor)) << name;
  }
}

TEST_F(CheckpointFcosTest, SavedCheckpointGivesTorchvisionTheSameDetections) {
  Fcos model(SmallFcosOptions(4));
  ASSERT_TRUE(LoadCheckpointInto(*model, FixturePath("new.pth")).ok());
  CheckpointInfo info;
  info.class_names = {"RBC", "WBC", "Platelets"};
  info.config = "backbone: \"resnet18\"\nnum_classes: 4\n";
  info.metrics_json = R"({"map":0.25})";
  info.parent_version = "v6";
  const SafetensorsMetadata metadata = ToSafetensorsMetadata(info);
  const std::string weights = Path("weights.safetensors");
  ASSERT_TRUE(SaveCheckpoint(*model, weights, metadata).ok());

  // Our file loads back into our model, metadata intact.
  Fcos reloaded(SmallFcosOptions(4));
  auto reloaded_metadata = LoadCheckpointInto(*reloaded, weights);
  ASSERT_TRUE(reloaded_metadata.ok()) << reloaded_metadata.status();
  EXPECT_EQ(*reloaded_metadata, metadata);
  auto parsed = CheckpointInfoFromMetadata(*reloaded_metadata);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->class_names, info.class_names);
  EXPECT_EQ(parsed->parent_version, "v6");
  EXPECT_TRUE(SameTensors(Snapshot(*reloaded), Snapshot(*model)));

  // And into torchvision's FCOS with strict=True, which then detects on a real image.
  const std::string image =
      std::string(LABELLOOP_DATASETS_DIR) + "/bccd/JPEGImages/BloodImage_00000.jpg";
  const std::string out = Path("python");
  const std::string command = std::string(LABELLOOP_TORCH_PYTHON) + " " +
                              LABELLOOP_CHECKPOINT_FIXTURES_SCRIPT + " detect " + weights + " " +
                              image + " " + out;
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
  auto python = ReadSafetensors(out + "/detections.safetensors");
  ASSERT_TRUE(python.ok()) << python.status();
  std::map<std::string, torch::Tensor> expected(python->tensors.begin(), python->tensors.end());
  std::ifstream metadata_file(out + "/metadata.json");
  const auto python_metadata = nlohmann::json::parse(metadata_file);
  EXPECT_EQ(python_metadata.get<SafetensorsMetadata>(), metadata);

  model->eval();
  const auto detections = model->Detect({expected.at("image")});
  ASSERT_EQ(detections.size(), 1u);
  const Detections& d = detections[0];
  ASSERT_EQ(d.boxes.size(0), expected.at("boxes").size(0));
  EXPECT_GT(d.boxes.size(0), 10) << "too few detections for a meaningful comparison";
  EXPECT_TRUE(torch::equal(d.labels, expected.at("labels")));
  std::cout << d.boxes.size(0) << " detections, max |score diff| "
            << (d.scores - expected.at("scores")).abs().max().item<float>() << ", max |box diff| "
            << (d.boxes - expected.at("boxes")).abs().max().item<float>() << "\n";
  EXPECT_TRUE(torch::allclose(d.scores, expected.at("scores"), /*rtol=*/0, /*atol=*/1e-4))
      << (d.scores - expected.at("scores")).abs().max().item<float>();
  EXPECT_TRUE(torch::allclose(d.boxes, expected.at("boxes"), /*rtol=*/1e-3, /*atol=*/1e-3))
      << (d.boxes - expected.at("boxes")).abs().max().item<float>();
}

TEST_F(CheckpointFcosTest, ClassCountMismatchIsRefusedAndModelUnchanged) {
  Fcos model(SmallFcosOptions(5));
  const NamedTensors before = Snapshot(*model);
  auto result = LoadCheckpointInto(*model, FixturePath("new.pth"));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(std::string(result.status().message()),
            "checkpoint " + FixturePath("new.pth") +
                " does not fit the model: checkpoint tensor "
                "\"head.classification_head.cls_logits.weight\" has shape [4, 64, 3, 3], model "
                "expects [5, 64, 3, 3] (class count differs: checkpoint 4, model 5)");
  EXPECT_TRUE(SameTensors(Snapshot(*model), before));
}

TEST_F(CheckpointFcosTest, WiderModelIsRefusedNamingFirstTensor) {
  FcosOptions options = SmallFcosOptions(4);
  options.fpn_channels = 96;
  Fcos model(options);
  auto result = LoadCheckpointInto(*model, FixturePath("new.pth"));
  ASSERT_FALSE(result.ok());
  EXPECT_THAT(result.status().message(),
              HasSubstr("checkpoint tensor \"backbone.fpn.inner_blocks.0.0.weight\" has shape "
                        "[64, 128, 1, 1], model expects [96, 128, 1, 1]"));
}

TEST_F(CheckpointFcosTest, TruncatedCheckpointLeavesModelUnchanged) {
  Fcos model(SmallFcosOptions(4));
  const NamedTensors before = Snapshot(*model);
  const std::string weights = Path("weights.safetensors");
  {
    Fcos other(SmallFcosOptions(4));
    ASSERT_TRUE(SaveCheckpoint(*other, weights, {}).ok());
  }
  const std::string bytes = ReadBytes(weights);
  WriteBytes(weights, bytes.substr(0, bytes.size() / 2));
  auto result = LoadCheckpointInto(*model, weights);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(result.status().message(), HasSubstr(weights));
  EXPECT_THAT(result.status().message(), HasSubstr("truncated"));
  EXPECT_TRUE(SameTensors(Snapshot(*model), before));

  auto missing = LoadCheckpointInto(*model, Path("missing.safetensors"));
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(SameTensors(Snapshot(*model), before));
}

}  // namespace
}  // namespace labelloop
