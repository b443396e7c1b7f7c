#include "sampler/hybrid_picker.h"

#include <cstring>
#include <string>
#include <vector>

#include "common/sha256.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "labelloop/v1/model.pb.h"
#include "tests/common/temp_dir.h"

namespace labelloop {
namespace {

constexpr int64_t kNowMs = 1'700'000'000'000;

// A store with classes "common" and "rare" (detector classes 1 and 2), one labeled image with
// four "common" boxes and one "rare" box, and unlabeled images scored with an embedding and
// the predicted classes given.
class HybridPickerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = Store::Open(dir_.path(), StoreOptions{});
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    ASSERT_TRUE(store_->SetClasses({"common", "rare"}).ok());
    const int64_t labeled = AddImage("labeled");
    ASSERT_TRUE(store_->PutLeases({{labeled, "L", "ann", kNowMs + 60'000}}).ok());
    NewLabel label;
    label.image_id = labeled;
    label.lease_id = "L";
    label.annotator = "ann";
    auto ids = store_->ClassIds();
    ASSERT_TRUE(ids.ok());
    for (int i = 0; i < 4; ++i) {
      float x = 1.0f + 20.0f * static_cast<float>(i);
      label.boxes.push_back({x, 1, x + 10, 10, ids->at("common")});
    }
    label.boxes.push_back({1, 30, 11, 40, ids->at("rare")});
    ASSERT_TRUE(store_->SubmitLabel(label, kNowMs).ok());
  }

  int64_t AddImage(const std::string& name) {
    NewImage image;
    image.uri = name;
    image.sha256 = Sha256Hex(name);
    image.width = 100;
    image.height = 100;
    auto added = store_->AddImages({image});
    EXPECT_TRUE(added.ok()) << added.status();
    return (*added)[0].image_id;
  }

  // An unlabeled image scored by "v1" with a 2-d embedding, `predicted` detector classes and
  // the pre-labels `prelabels` (serialized v1::PredictResponse; empty: none stored).
  int64_t AddScored(const std::string& name, float angle, const std::string& predicted,
                    const std::string& prelabels = "") {
    const int64_t id = AddImage(name);
    const float embedding[2] = {std::cos(angle), std::sin(angle)};
    std::string blob(sizeof(embedding), '\0');
    std::memcpy(blob.data(), embedding, sizeof(embedding));
    EXPECT_TRUE(store_
                    ->Transact([&](SqliteDb* db) -> absl::Status {
                      auto put = db->Prepare(
                          "INSERT INTO image_scores(image_id, model_version, uncertainty, parts,"
                          " predictions, embedding, predicted_classes, scored_ms)"
                          " VALUES(?, 'v1', 0.5, x'', ?, ?, ?, 0)");
                      if (!put.ok()) return put.status();
                      return put->Bind(1, id)
                          .BindBlob(2, prelabels)
                          .BindBlob(3, blob)
                          .Bind(4, predicted)
                          .Run();
                    })
                    .ok());
    return id;
  }

  // The one image a fresh picker with `options` chooses from `candidates` (-1, and a failure,
  // unless it picks exactly one).
  int PickOne(const SamplerOptions& options, const std::vector<BatchCandidate>& candidates) {
    std::vector<BatchPick> picks = MakeHybridPicker(store_.get(), options, 1)(candidates, 1);
    EXPECT_EQ(picks.size(), 1u);
    return picks.size() == 1 ? picks[0].index : -1;
  }

  TempDir dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(HybridPickerTest, RareClassBoostPrefersImagesPredictedToHoldTheRareClass) {
  // Ranked by uncertainty the "common" image comes first; the rare one is a little less
  // uncertain. With one place, no random share and no diversity choice (the candidate set is as
  // large as the batch), only the boost decides.
  std::vector<BatchCandidate> candidates = {
      {AddScored("a-common", 0.0f, "1"), 0.6, true, true},
      {AddScored("b-rare", 1.0f, "2"), 0.5, true, true},
      {AddScored("c-common", 2.0f, "1"), 0.4, true, true},
  };
  SamplerOptions options;
  options.selection.random_share = 0.0;
  options.selection.candidate_factor = 1;

  EXPECT_EQ(PickOne(options, candidates), 0);

  // rarity("rare") = 1 - 1/4 = 0.75: key 0.5 x (1 + 1 x 0.75) = 0.875 > 0.6.
  options.selection.rare_class_boost = 1.0;
  EXPECT_EQ(PickOne(options, candidates), 1);
}

// Serialized pre-labels: one box per (class name, score).
std::string Prelabels(const std::vector<std::pair<std::string, float>>& boxes) {
  v1::PredictResponse response;
  for (const auto& [name, score] : boxes) {
    v1::Box* box = response.add_detections();
    box->set_x1(1);
    box->set_y1(1);
    box->set_x2(20);
    box->set_y2(20);
    box->set_class_name(name);
    box->set_score(score);
  }
  return response.SerializeAsString();
}

TEST_F(HybridPickerTest, RareClassBoostWeighsPreLabelsByTheirScores) {
  // Both images list the rare class among their predicted classes, but the more uncertain one
  // only by a 0.31 guess: its rarity is 0.31 x 0.75, the other's 0.95 x 0.75.
  std::vector<BatchCandidate> candidates = {
      {AddScored("a-guess", 0.0f, "1,2", Prelabels({{"common", 0.9f}, {"rare", 0.31f}})), 0.6, true,
       true},
      {AddScored("b-sure", 1.0f, "2", Prelabels({{"rare", 0.5f}, {"rare", 0.95f}})), 0.5, true,
       true},
  };
  SamplerOptions options;
  options.selection.random_share = 0.0;
  options.selection.candidate_factor = 1;
  options.selection.rare_class_boost = 1.0;
  // Keys: 0.6 x (1 + 0.2325) = 0.74 against 0.5 x (1 + 0.7125) = 0.856.
  EXPECT_EQ(PickOne(options, candidates), 1);
  // Counted as certain (the class lists alone) both are rarity 0.75 and uncertainty decides.
  std::vector<BatchCandidate> listed = {
      {AddScored("c-guess", 0.0f, "1,2"), 0.6, true, true},
      {AddScored("d-sure", 1.0f, "2"), 0.5, true, true},
  };
  EXPECT_EQ(PickOne(options, listed), 0);
}

// Serialized pre-labels: `count` separate boxes (side by side, no overlap) at `score`.
std::string SeparateBoxes(int count, float score) {
  v1::PredictResponse response;
  for (int i = 0; i < count; ++i) {
    v1::Box* box = response.add_detections();
    box->set_x1(1.0f + 20.0f * static_cast<float>(i));
    box->set_y1(1);
    box->set_x2(11.0f + 20.0f * static_cast<float>(i));
    box->set_y2(10);
    box->set_class_name("common");
    box->set_score(score);
  }
  return response.SerializeAsString();
}

TEST_F(HybridPickerTest, BoxCostPrefersImagesWithFewerExpectedBoxes) {
  // The more uncertain image carries four confident pre-labels, the other one: keys
  // 0.6 / (1 + 3.6) = 0.13 against 0.5 / (1 + 0.9) = 0.26.
  std::vector<BatchCandidate> candidates = {
      {AddScored("a-full", 0.0f, "1", SeparateBoxes(4, 0.9f)), 0.6, true, true},
      {AddScored("b-one", 1.0f, "1", SeparateBoxes(1, 0.9f)), 0.5, true, true},
  };
  SamplerOptions options;
  options.selection.random_share = 0.0;
  options.selection.candidate_factor = 1;
  EXPECT_EQ(PickOne(options, candidates), 0);
  options.selection.box_cost = 1.0;
  EXPECT_EQ(PickOne(options, candidates), 1);
  // An image not scored yet costs the scored ones' mean (2.25 boxes): 0.55 / 3.25 = 0.17, below
  // the one-box image's 0.26 and above the full one's 0.13.
  std::vector<BatchCandidate> with_unscored = {
      candidates[0], {AddImage("c-unscored"), 0.55, false, false}, candidates[1]};
  std::vector<BatchPick> picks = MakeHybridPicker(store_.get(), options, 1)(with_unscored, 2);
  ASSERT_EQ(picks.size(), 2u);
  EXPECT_EQ(picks[0].index, 2);
  EXPECT_EQ(picks[1].index, 1);
}

TEST_F(HybridPickerTest, WithoutEmbeddingsItKeepsRankOrderAndReadsNothing) {
  // Candidates flagged without embeddings: rank order, whatever the store holds.
  std::vector<BatchCandidate> candidates = {
      {AddScored("a", 0.0f, "1"), 0.6, true, false},
      {AddScored("b", 1.0f, "2"), 0.5, true, false},
  };
  SamplerOptions options;
  options.selection.rare_class_boost = 1.0;
  std::vector<BatchPick> picks = MakeHybridPicker(store_.get(), options, 1)(candidates, 2);
  ASSERT_EQ(picks.size(), 2u);
  EXPECT_EQ(picks[0].index, 0);
  EXPECT_EQ(picks[1].index, 1);
  EXPECT_EQ(picks[0].strategy, "hybrid:uncertainty");
}

}  // namespace
}  // namespace labelloop
