#include "trainer/model_version.h"

#include <filesystem>
#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/common/temp_dir.h"

namespace labelloop {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

ModelVersionInfo SampleInfo() {
  ModelVersionInfo info;
  info.version = "v3";
  info.parent_version = "v2";
  info.job_id = 17;
  info.created_unix_ms = 1700000000123;
  info.train_labels = 120;
  info.val_labels = 30;
  info.class_names = {"RBC", "WBC", "Platelets"};
  info.metrics.map = 0.41;
  info.metrics.map50 = 0.7;
  info.metrics.map75 = 0.4;
  info.metrics.map_small = -1;
  info.metrics.map_medium = 0.3;
  info.metrics.map_large = 0.5;
  info.metrics.ar100 = 0.6;
  info.metrics.per_class = {{"RBC", 0.5, 0.8}, {"WBC", 0.7, 0.9}, {"Platelets", -1, -1}};
  info.metrics.val_images = 30;
  info.best_epoch = 4;
  info.epochs = 6;
  info.detector_config = "backbone: \"resnet18\"\nfpn_channels: 64\n";
  info.weights_bytes = 1234;
  info.weights_sha256 = "ab12";
  return info;
}

void WriteFile(const fs::path& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
}

TEST(ModelVersionTest, ParsesVersionNames) {
  EXPECT_EQ(ParseVersionNumber("v1"), 1);
  EXPECT_EQ(ParseVersionNumber("v120"), 120);
  EXPECT_EQ(ParseVersionNumber("v0"), 0);
  EXPECT_FALSE(ParseVersionNumber("v").has_value());
  EXPECT_FALSE(ParseVersionNumber("v01").has_value());
  EXPECT_FALSE(ParseVersionNumber("v3.tmp-abcdef").has_value());
  EXPECT_FALSE(ParseVersionNumber("x3").has_value());
  EXPECT_FALSE(ParseVersionNumber("v-3").has_value());
  EXPECT_EQ(VersionName(7), "v7");
}

TEST(ModelVersionTest, JsonRoundTrip) {
  const ModelVersionInfo info = SampleInfo();
  absl::StatusOr<ModelVersionInfo> back = ModelVersionFromJson(ModelVersionToJson(info));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->version, "v3");
  EXPECT_EQ(back->parent_version, "v2");
  EXPECT_EQ(back->job_id, 17);
  EXPECT_EQ(back->created_unix_ms, 1700000000123);
  EXPECT_EQ(back->train_labels, 120);
  EXPECT_EQ(back->val_labels, 30);
  EXPECT_THAT(back->class_names, ElementsAre("RBC", "WBC", "Platelets"));
  EXPECT_DOUBLE_EQ(back->metrics.map, 0.41);
  EXPECT_DOUBLE_EQ(back->metrics.map_small, -1);
  ASSERT_EQ(back->metrics.per_class.size(), 3u);
  EXPECT_EQ(back->metrics.per_class[1].class_name, "WBC");
  EXPECT_DOUBLE_EQ(back->metrics.per_class[1].ap50, 0.9);
  EXPECT_EQ(back->metrics.val_images, 30);
  EXPECT_EQ(back->best_epoch, 4);
  EXPECT_EQ(back->epochs, 6);
  EXPECT_EQ(back->detector_config, info.detector_config);
  EXPECT_EQ(back->weights_bytes, 1234);
  EXPECT_EQ(back->weights_sha256, "ab12");
}

TEST(ModelVersionTest, RejectsMalformedAndNewerMetadata) {
  EXPECT_FALSE(ModelVersionFromJson("{").ok());
  EXPECT_FALSE(ModelVersionFromJson("[]").ok());
  EXPECT_FALSE(ModelVersionFromJson("{\"version\": 3}").ok());
  absl::StatusOr<ModelVersionInfo> newer =
      ModelVersionFromJson("{\"version\": \"v1\", \"format_version\": 99}");
  EXPECT_EQ(newer.status().code(), absl::StatusCode::kFailedPrecondition);
  absl::StatusOr<ModelVersionInfo> minimal = ModelVersionFromJson("{\"version\": \"v1\"}");
  ASSERT_TRUE(minimal.ok());
  EXPECT_DOUBLE_EQ(minimal->metrics.map, -1);
}

TEST(ModelVersionTest, ReadsAFolderAndChecksIt) {
  TempDir dir;
  const fs::path v3 = fs::path(dir.path()) / "v3";
  fs::create_directories(v3);
  WriteFile(v3 / kModelMetadataFileName, ModelVersionToJson(SampleInfo()));
  absl::StatusOr<ModelVersionInfo> missing_weights = ReadModelVersion(v3.string());
  EXPECT_EQ(missing_weights.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(missing_weights.status().message(), HasSubstr("weights.safetensors"));

  WriteFile(v3 / kWeightsFileName, "x");
  absl::StatusOr<ModelVersionInfo> read = ReadModelVersion(v3.string());
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->version, "v3");
  EXPECT_TRUE(ReadModelVersion(v3.string() + "/").ok());

  // A folder renamed by hand no longer matches its metadata.
  const fs::path v4 = fs::path(dir.path()) / "v4";
  fs::rename(v3, v4);
  absl::StatusOr<ModelVersionInfo> renamed = ReadModelVersion(v4.string());
  EXPECT_THAT(renamed.status().message(), HasSubstr("metadata says version 'v3'"));

  absl::StatusOr<ModelVersionInfo> absent =
      ReadModelVersion((fs::path(dir.path()) / "v9").string());
  EXPECT_FALSE(absent.ok());
  EXPECT_THAT(absent.status().message(), HasSubstr("v9"));
}

TEST(ModelVersionTest, ListsCompleteVersionsByNumberAndRemovesLeftovers) {
  TempDir dir;
  EXPECT_TRUE(ListModelVersions((fs::path(dir.path()) / "none").string())->empty());
  for (const char* name : {"v2", "v10", "v1", "v11.tmp-abc123", "latest", "v3x"}) {
    fs::create_directories(fs::path(dir.path()) / name);
  }
  WriteFile(fs::path(dir.path()) / "v5", "a file, not a version");
  EXPECT_THAT(*ListModelVersions(dir.path()), ElementsAre("v1", "v2", "v10"));
  ASSERT_TRUE(RemoveIncompleteVersions(dir.path()).ok());
  EXPECT_FALSE(fs::exists(fs::path(dir.path()) / "v11.tmp-abc123"));
  EXPECT_TRUE(fs::exists(fs::path(dir.path()) / "v10"));
  EXPECT_TRUE(fs::exists(fs::path(dir.path()) / "latest"));
}

TEST(ModelVersionTest, MetricsProto) {
  const v1::ModelMetrics proto = ToModelMetricsProto(SampleInfo());
  EXPECT_DOUBLE_EQ(proto.map(), 0.41);
  EXPECT_EQ(proto.best_epoch(), 4);
  EXPECT_EQ(proto.val_images(), 30);
  ASSERT_EQ(proto.per_class_size(), 3);
  EXPECT_EQ(proto.per_class(2).class_name(), "Platelets");
  EXPECT_DOUBLE_EQ(proto.per_class(2).ap(), -1);
}

}  // namespace
}  // namespace labelloop
