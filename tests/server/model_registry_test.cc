#include "server/model_registry.h"

#include <filesystem>
#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "inference/fcos.h"
#include "sampler/pool_rescorer.h"
#include "server/suspect_scanner.h"
#include "tests/common/temp_dir.h"
#include "trainer/model_version_writer.h"

namespace labelloop {
namespace {

using ::testing::HasSubstr;

constexpr char kDetectorConfig[] = "min_size: 96 max_size: 128";

class ModelRegistryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = Store::Open(dir_.path(), StoreOptions{});
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    OpenRegistry();
  }
  void OpenRegistry() {
    registry_.reset();
    auto registry = ModelRegistry::Open(dir_.path() + "/models", store_.get(), 1, &clock_);
    ASSERT_TRUE(registry.ok()) << registry.status();
    registry_ = *std::move(registry);
  }
  // Writes a real version (a seeded small detector) the way a training job does.
  std::string WriteVersion(int64_t number, double map) {
    torch::manual_seed(number);
    FcosOptions options;
    options.num_classes = 3;
    options.min_size = 96;
    options.max_size = 128;
    Fcos model(options);
    ModelVersionInfo info;
    info.version = VersionName(number);
    info.class_names = {"cat", "dog"};
    info.detector_config = kDetectorConfig;
    info.metrics.map = map;
    auto written = WriteModelVersion(dir_.path() + "/models", *model, info);
    EXPECT_TRUE(written.ok()) << written.status();
    return info.version;
  }

  TempDir dir_;
  SystemClock clock_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<ModelRegistry> registry_;
};

TEST_F(ModelRegistryTest, PromoteSwapsTheServingModelAndListenersHear) {
  EXPECT_EQ(registry_->Serving(), nullptr);
  std::string v1 = WriteVersion(1, 0.3);
  ASSERT_TRUE(registry_->AddVersion(v1).ok());
  EXPECT_EQ(registry_->Get(v1)->status(), v1::MODEL_STATUS_CANDIDATE);
  std::vector<std::string> heard;
  registry_->AddPromotionListener(
      [&](std::shared_ptr<const ServingModel> model) { heard.push_back(model->version()); });
  auto promoted = registry_->Promote(v1, "first model");
  ASSERT_TRUE(promoted.ok()) << promoted.status();
  EXPECT_EQ(promoted->status(), v1::MODEL_STATUS_SERVING);
  EXPECT_EQ(promoted->promotion_reason(), "first model");
  ASSERT_NE(registry_->Serving(), nullptr);
  EXPECT_EQ(registry_->Serving()->version(), v1);
  EXPECT_EQ(heard, std::vector<std::string>{v1});
  EXPECT_DOUBLE_EQ(registry_->Get("serving")->metrics().map(), 0.3);

  // A request that holds the old model keeps it while a new one is promoted.
  std::shared_ptr<const ServingModel> held = registry_->Serving();
  std::string v2 = WriteVersion(2, 0.4);
  ASSERT_TRUE(registry_->Promote(v2, "better").ok());
  EXPECT_EQ(held->version(), v1);
  EXPECT_EQ(registry_->Serving()->version(), v2);
  EXPECT_EQ(registry_->Get(v1)->status(), v1::MODEL_STATUS_RETIRED);
}

TEST_F(ModelRegistryTest, PromotionLetsThePreviousModelGo) {
  // The soak's RSS stepped up at each promotion: neither the registry nor the daemon's promotion
  // listeners (pool re-scoring, suspect scan) may keep retired versions and their weights alive.
  auto queue = LabelQueue::Create(store_.get(), QueueOptions{}, &clock_);
  ASSERT_TRUE(queue.ok()) << queue.status();
  PoolRescorer rescorer(store_.get(), queue->get(), PoolRescorerOptions{});
  SuspectScanner scanner(store_.get(), v1::SuspectConfig(), int64_t{1} << 20, &clock_);
  registry_->AddPromotionListener(
      [&](std::shared_ptr<const ServingModel> model) { rescorer.OnPromotion(model); });
  registry_->AddPromotionListener(
      [&](std::shared_ptr<const ServingModel> model) { scanner.OnPromotion(model); });
  std::vector<std::weak_ptr<const ServingModel>> served;
  for (int64_t number = 1; number <= 3; ++number) {
    ASSERT_TRUE(registry_->Promote(WriteVersion(number, 0.1 * number), "next").ok());
    rescorer.WaitIdle();
    scanner.WaitIdle();
    served.push_back(registry_->Serving());
  }
  EXPECT_TRUE(served[0].expired());
  EXPECT_TRUE(served[1].expired());
  EXPECT_FALSE(served[2].expired());
}

TEST_F(ModelRegistryTest, RollbackWalksBackAndSurvivesRestart) {
  std::string v1 = WriteVersion(1, 0.3), v2 = WriteVersion(2, 0.4), v3 = WriteVersion(3, 0.5);
  for (const std::string& v : {v1, v2, v3}) ASSERT_TRUE(registry_->Promote(v, "next").ok());
  ASSERT_EQ(registry_->Rollback()->version(), v2);
  ASSERT_EQ(registry_->Rollback()->version(), v1);  // Walks back, does not flip to v3.
  absl::Status none = registry_->Rollback().status();
  EXPECT_EQ(none.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(none.message(), HasSubstr("nothing to roll back"));
  OpenRegistry();  // The serving version is remembered.
  ASSERT_NE(registry_->Serving(), nullptr);
  EXPECT_EQ(registry_->Serving()->version(), v1);
  EXPECT_EQ(registry_->List()->size(), 3u);
}

TEST_F(ModelRegistryTest, BrokenVersionIsRefusedAndServingIsUntouched) {
  std::string v1 = WriteVersion(1, 0.3);
  ASSERT_TRUE(registry_->Promote(v1, "first").ok());
  std::string v2 = WriteVersion(2, 0.4);
  // Cut the weights file in half: the promotion must fail and v1 must keep serving.
  std::string weights = dir_.path() + "/models/" + v2 + "/weights.safetensors";
  std::filesystem::resize_file(weights, std::filesystem::file_size(weights) / 2);
  absl::Status status = registry_->Promote(v2, "should fail").status();
  EXPECT_FALSE(status.ok());
  EXPECT_THAT(status.message(), HasSubstr("cannot promote v2"));
  EXPECT_EQ(registry_->Serving()->version(), v1);
  EXPECT_EQ(registry_->Promote("v9", "x").status().code(), absl::StatusCode::kNotFound);
}

TEST_F(ModelRegistryTest, NothingServingIsAClearError) {
  absl::Status status = registry_->Get("serving").status();
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(status.message(), HasSubstr("no model serves yet"));
}

}  // namespace
}  // namespace labelloop
