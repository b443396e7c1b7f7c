#include "trainer/model_version_writer.h"

#include <torch/torch.h>

#include <filesystem>
#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "inference/checkpoint.h"
#include "inference/checkpoint_metadata.h"
#include "tests/common/temp_dir.h"

namespace labelloop {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::vector<std::string> Entries(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) {
    names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

ModelVersionInfo Info() {
  ModelVersionInfo info;
  info.parent_version = "v0";
  info.job_id = 3;
  info.class_names = {"cat", "dog"};
  info.metrics.map = 0.25;
  info.metrics.per_class = {{"cat", 0.3, 0.6}, {"dog", 0.2, 0.5}};
  info.best_epoch = 2;
  info.detector_config = "backbone: \"resnet18\"\n";
  return info;
}

TEST(ModelVersionWriterTest, WritesNumberedCompleteVersions) {
  TempDir dir;
  const std::string models = dir.path() + "/models";
  torch::nn::Linear module(3, 2);
  absl::StatusOr<ModelVersionInfo> first = WriteModelVersion(models, *module, Info());
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->version, "v1");
  absl::StatusOr<ModelVersionInfo> second = WriteModelVersion(models, *module, Info());
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->version, "v2");
  EXPECT_THAT(Entries(models), ElementsAre("v1", "v2"));
  EXPECT_THAT(Entries(models + "/v2"), ElementsAre("metadata.json", "weights.safetensors"));

  absl::StatusOr<ModelVersionInfo> read = ReadModelVersion(models + "/v2");
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->version, "v2");
  EXPECT_EQ(read->parent_version, "v0");
  EXPECT_EQ(read->weights_bytes,
            static_cast<int64_t>(fs::file_size(models + "/v2/weights.safetensors")));
  EXPECT_EQ(read->weights_sha256.size(), 64u);

  torch::nn::Linear loaded(3, 2);
  absl::StatusOr<SafetensorsMetadata> metadata =
      LoadCheckpointInto(*loaded, models + "/v2/weights.safetensors");
  ASSERT_TRUE(metadata.ok()) << metadata.status();
  EXPECT_TRUE(torch::equal(loaded->weight, module->weight));
  absl::StatusOr<CheckpointInfo> info = CheckpointInfoFromMetadata(*metadata);
  ASSERT_TRUE(info.ok());
  EXPECT_THAT(info->class_names, ElementsAre("cat", "dog"));
  EXPECT_EQ(info->parent_version, "v0");
  EXPECT_THAT(info->metrics_json, HasSubstr("\"map\":0.25"));
  EXPECT_EQ(info->config, "backbone: \"resnet18\"\n");
}

TEST(ModelVersionWriterTest, AFailureAtTheLastMomentLeavesNoTrace) {
  TempDir dir;
  const std::string models = dir.path() + "/models";
  torch::nn::Linear module(3, 2);
  ASSERT_TRUE(WriteModelVersion(models, *module, Info()).ok());
  WriteModelVersionOptions options;
  std::string seen_temp;
  options.before_publish = [&](const std::string& temp) {
    seen_temp = temp;
    // Everything is there before the rename...
    EXPECT_TRUE(fs::exists(temp + "/weights.safetensors"));
    EXPECT_TRUE(fs::exists(temp + "/metadata.json"));
    return absl::UnavailableError("disk pulled");
  };
  absl::StatusOr<ModelVersionInfo> failed = WriteModelVersion(models, *module, Info(), options);
  EXPECT_EQ(failed.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(seen_temp, HasSubstr("/v2.tmp-"));
  // ...and nothing after it failed.
  EXPECT_THAT(Entries(models), ElementsAre("v1"));
}

TEST(ModelVersionWriterTest, CrashLeftoversAreCleanedAndNeverListed) {
  TempDir dir;
  const std::string models = dir.path() + "/models";
  fs::create_directories(models + "/v1.tmp-abcdef");
  std::ofstream(models + "/v1.tmp-abcdef/weights.safetensors") << "half";
  EXPECT_TRUE(ListModelVersions(models)->empty());
  torch::nn::Linear module(3, 2);
  absl::StatusOr<ModelVersionInfo> written = WriteModelVersion(models, *module, Info());
  ASSERT_TRUE(written.ok()) << written.status();
  EXPECT_EQ(written->version, "v1");
  EXPECT_THAT(Entries(models), ElementsAre("v1"));
}

TEST(ModelVersionWriterTest, ANameTakenMeanwhileMovesToTheNextNumber) {
  TempDir dir;
  const std::string models = dir.path() + "/models";
  torch::nn::Linear module(3, 2);
  WriteModelVersionOptions options;
  options.before_publish = [&](const std::string&) {
    // Another writer (a second daemon on the same folder, say) publishes v1 first.
    fs::create_directories(models + "/v1");
    std::ofstream(models + "/v1/metadata.json") << "{}";
    return absl::OkStatus();
  };
  absl::StatusOr<ModelVersionInfo> written = WriteModelVersion(models, *module, Info(), options);
  ASSERT_TRUE(written.ok()) << written.status();
  EXPECT_EQ(written->version, "v2");
  EXPECT_EQ(ReadModelVersion(models + "/v2")->version, "v2");
  EXPECT_THAT(Entries(models), ElementsAre("v1", "v2"));
}

}  // namespace
}  // namespace labelloop
