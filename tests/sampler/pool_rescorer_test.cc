#include "sampler/pool_rescorer.h"

#include <filesystem>
#include <map>

#include "absl/strings/str_cat.h"
#include "common/durable_file.h"
#include "common/image_validation.h"
#include "common/sha256.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "labelloop/v1/model.pb.h"
#include "labelloop/v1/queue.pb.h"
#include "sampler/hybrid_picker.h"
#include "sampler/sampler_options.h"
#include "tests/common/temp_dir.h"

namespace labelloop {
namespace {

// Real photos, a real (untrained, seeded) detector: the scores are meaningless as ranking
// advice, but everything the daemon does with them is real.
class PoolRescorerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = Store::Open(dir_.path(), StoreOptions{});
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    ASSERT_TRUE(store_->SetClasses({"RBC", "WBC", "Platelets"}).ok());
    auto queue = LabelQueue::Create(store_.get(), QueueOptions{}, &clock_);
    ASSERT_TRUE(queue.ok());
    queue_ = *std::move(queue);
    options_.sampler.rescore_batch = 4;
    options_.threads = 2;
    options_.label_assist_threshold = 0.0f;
    rescorer_ = std::make_unique<PoolRescorer>(store_.get(), queue_.get(), options_);
    FcosOptions detector;
    detector.min_size = 128;
    detector.max_size = 160;
    model_ = ServingModel::Untrained("v1", detector, {"RBC", "WBC", "Platelets"}, 2);
  }
  std::vector<int64_t> AddBccd(int first, int count) {
    std::vector<NewImage> images;
    std::string dir = std::string(LABELLOOP_DATASETS_DIR) + "/bccd/JPEGImages/";
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
      names.push_back(entry.path().string());
    }
    std::sort(names.begin(), names.end());
    for (int i = first; i < first + count; ++i) {
      std::string bytes = *ReadFileLimited(names[i], 1 << 24);
      ImageInfo info = *ValidateEncodedImage(bytes, ImageLimits{});
      images.push_back({names[i], Sha256Hex(bytes), false, static_cast<int64_t>(bytes.size()),
                        info.width, info.height});
    }
    absl::StatusOr<std::vector<AddImageResult>> added = store_->AddImages(images);
    EXPECT_TRUE(added.ok()) << added.status();
    std::vector<int64_t> ids;
    for (const AddImageResult& r : *added) ids.push_back(r.image_id);
    queue_->AddImages(ids);
    return ids;
  }

  TempDir dir_;
  SystemClock clock_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<LabelQueue> queue_;
  PoolRescorerOptions options_;
  std::unique_ptr<PoolRescorer> rescorer_;
  std::shared_ptr<const ServingModel> model_;
};

TEST_F(PoolRescorerTest, PromotionScoresThePoolAndRanksByUncertainty) {
  std::vector<int64_t> ids = AddBccd(0, 6);
  rescorer_->OnPromotion(model_);
  rescorer_->WaitIdle();
  RescoreProgress progress = rescorer_->Progress();
  EXPECT_EQ(progress.model_version, "v1");
  EXPECT_EQ(progress.done, 6);
  EXPECT_EQ(progress.total, 6);
  EXPECT_FALSE(progress.running);
  EXPECT_EQ(queue_->ScoredByServing(), (std::pair<size_t, size_t>{6, 6}));

  // Every image has a stored score, parts and pre-labels from v1.
  int rows = 0;
  ASSERT_TRUE(store_
                  ->Read([&](SqliteDb* db) -> absl::Status {
                    auto q = db->Prepare(
                        "SELECT model_version, uncertainty, parts, predictions, embedding"
                        " FROM image_scores");
                    while (*q->Step()) {
                      ++rows;
                      EXPECT_EQ(q->ColumnText(0), "v1");
                      EXPECT_GE(q->ColumnDouble(1), 0.0);
                      EXPECT_LE(q->ColumnDouble(1), 1.0);
                      v1::ScoreParts parts;
                      EXPECT_TRUE(parts.ParseFromString(q->ColumnBlob(2)));
                      EXPECT_EQ(parts.strategy(), "hybrid");
                      v1::PredictResponse predictions;
                      EXPECT_TRUE(predictions.ParseFromString(q->ColumnBlob(3)));
                      EXPECT_EQ(predictions.width(), 640);
                      EXPECT_GT(q->ColumnBlob(4).size(), 0u);  // An embedding for diversity.
                    }
                    return absl::OkStatus();
                  })
                  .ok());
  EXPECT_EQ(rows, 6);

  // The queue now hands out by uncertainty, highest first.
  auto batch = queue_->Next(6, "ann", 60);
  ASSERT_EQ(batch->size(), 6u);
  for (const Handout& h : *batch) {
    EXPECT_EQ(h.model_version, "v1");
    EXPECT_FALSE(h.stale);
  }
}

TEST_F(PoolRescorerTest, ScoreFirstScoresImagesAgainAndIsANoOpBeforeAnyModel) {
  std::vector<int64_t> ids = AddBccd(0, 2);
  rescorer_->ScoreFirst({ids[0]});  // No model yet: nothing to score with.
  EXPECT_EQ(rescorer_->Progress().total, 0);
  rescorer_->OnPromotion(model_);
  rescorer_->WaitIdle();
  // An image handed out without stored pre-labels (here: its row lost) is scored on request.
  ASSERT_TRUE(store_
                  ->Transact([&](SqliteDb* db) -> absl::Status {
                    return db->Exec(
                        absl::StrCat("DELETE FROM image_scores WHERE image_id = ", ids[0]));
                  })
                  .ok());
  rescorer_->ScoreFirst({ids[0]});
  rescorer_->WaitIdle();
  int64_t rows = 0;
  ASSERT_TRUE(store_
                  ->Read([&](SqliteDb* db) -> absl::Status {
                    auto q = db->Prepare(
                        absl::StrCat("SELECT COUNT(*) FROM image_scores WHERE model_version = 'v1'"
                                     " AND image_id = ",
                                     ids[0]));
                    if (!q.ok()) return q.status();
                    EXPECT_TRUE(*q->Step());
                    rows = q->ColumnInt(0);
                    return absl::OkStatus();
                  })
                  .ok());
  EXPECT_EQ(rows, 1);
  RescoreProgress progress = rescorer_->Progress();
  EXPECT_EQ(progress.done, progress.total);
  EXPECT_EQ(progress.total, 3);
}

TEST_F(PoolRescorerTest, ImagesAddedLaterAreScoredAsTheyArrive) {
  AddBccd(0, 3);
  rescorer_->OnPromotion(model_);
  rescorer_->WaitIdle();
  std::vector<int64_t> later = AddBccd(3, 2);
  rescorer_->OnImagesAdded(later);
  rescorer_->WaitIdle();
  EXPECT_EQ(queue_->ScoredByServing().first, 5u);
}

// A client re-adding images the store already has (every one a duplicate) hears of no new ids;
// that must not leave the progress "running" for a pass with nothing to do, which GetQueueStatus
// would report (and clients waiting for the pass would wait on) forever.
TEST_F(PoolRescorerTest, NothingAddedLeavesThePassFinished) {
  AddBccd(0, 3);
  rescorer_->OnPromotion(model_);
  rescorer_->WaitIdle();
  rescorer_->OnImagesAdded({});
  rescorer_->ScoreFirst({});
  rescorer_->WaitIdle();
  RescoreProgress progress = rescorer_->Progress();
  EXPECT_FALSE(progress.running);
  EXPECT_EQ(progress.done, progress.total);
}

TEST_F(PoolRescorerTest, StoredScoresReloadAsStaleUnderANewerModel) {
  AddBccd(0, 3);
  rescorer_->OnPromotion(model_);
  rescorer_->WaitIdle();
  ASSERT_TRUE(rescorer_->LoadStoredScores("v2").ok());
  auto batch = queue_->Next(1, "ann", 60);
  ASSERT_EQ(batch->size(), 1u);
  EXPECT_EQ((*batch)[0].model_version, "v1");
  EXPECT_TRUE((*batch)[0].stale);
}

TEST_F(PoolRescorerTest, HybridRankedByTtaScoresThePoolAsTheTtaStrategyDoes) {
  AddBccd(0, 4);
  auto stored_uncertainty = [&](const v1::SamplerConfig& config) {
    PoolRescorerOptions options = options_;
    options.sampler = *SamplerOptionsFromConfig(config);
    options.sampler.rescore_batch = 4;
    PoolRescorer rescorer(store_.get(), queue_.get(), options);
    rescorer.OnPromotion(model_);
    rescorer.WaitIdle();
    std::map<int64_t, double> uncertainty;
    EXPECT_TRUE(store_
                    ->Read([&](SqliteDb* db) -> absl::Status {
                      auto q = db->Prepare("SELECT image_id, uncertainty FROM image_scores");
                      while (*q->Step()) uncertainty[q->ColumnInt(0)] = q->ColumnDouble(1);
                      return absl::OkStatus();
                    })
                    .ok());
    return uncertainty;
  };
  v1::SamplerConfig by_entropy;
  v1::SamplerConfig by_tta;
  by_tta.set_hybrid_uncertainty("tta");
  v1::SamplerConfig tta;
  tta.set_strategy("tta");
  std::map<int64_t, double> hybrid_entropy = stored_uncertainty(by_entropy);
  std::map<int64_t, double> hybrid_tta = stored_uncertainty(by_tta);
  ASSERT_EQ(hybrid_tta.size(), 4u);
  EXPECT_EQ(hybrid_tta, stored_uncertainty(tta));  // the same views, the same scores
  EXPECT_NE(hybrid_tta, hybrid_entropy);           // and not the entropy ranking
}

TEST_F(PoolRescorerTest, HybridPickerSpreadsTheBatchOverCandidates) {
  AddBccd(0, 8);
  rescorer_->OnPromotion(model_);
  rescorer_->WaitIdle();
  SamplerOptions sampler;
  queue_->SetBatchPicker(MakeHybridPicker(store_.get(), sampler, 1));
  auto batch = queue_->Next(3, "ann", 60);
  ASSERT_EQ(batch->size(), 3u);
  std::set<int64_t> distinct;
  for (const Handout& h : *batch) {
    distinct.insert(h.image.id);
    EXPECT_THAT(h.strategy, ::testing::StartsWith("hybrid"));
  }
  EXPECT_EQ(distinct.size(), 3u);
  EXPECT_EQ(queue_->Remaining(), 5u);
}

}  // namespace
}  // namespace labelloop
