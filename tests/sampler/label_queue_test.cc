#include "sampler/label_queue.h"

#include <set>
#include <thread>

#include "common/sha256.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/common/temp_dir.h"

namespace labelloop {
namespace {

using ::testing::HasSubstr;

constexpr int64_t kStartMs = 1'700'000'000'000;

class LabelQueueTest : public ::testing::Test {
 protected:
  void SetUp() override {
    OpenStore();
    ASSERT_TRUE(store_->SetClasses({"cell"}).ok());
    std::vector<NewImage> images;
    for (int i = 0; i < 20; ++i) {
      NewImage image;
      image.uri = "img" + std::to_string(i);
      image.sha256 = Sha256Hex(image.uri);
      image.width = 100;
      image.height = 80;
      images.push_back(image);
    }
    auto added = store_->AddImages(images);
    ASSERT_TRUE(added.ok());
    for (const auto& r : *added) ids_.push_back(r.image_id);
    CreateQueue();
  }
  void OpenStore() {
    auto store = Store::Open(dir_.path(), StoreOptions{});
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
  }
  void CreateQueue() {
    auto queue = LabelQueue::Create(store_.get(), options_, &clock_);
    ASSERT_TRUE(queue.ok()) << queue.status();
    queue_ = *std::move(queue);
  }
  void Restart() {
    queue_.reset();
    store_.reset();
    OpenStore();
    CreateQueue();
  }
  google::protobuf::RepeatedPtrField<v1::Box> OneBox() {
    google::protobuf::RepeatedPtrField<v1::Box> boxes;
    v1::Box* box = boxes.Add();
    box->set_x1(10);
    box->set_y1(10);
    box->set_x2(50);
    box->set_y2(40);
    box->set_class_name("cell");
    return boxes;
  }

  TempDir dir_;
  ManualClock clock_{kStartMs};
  QueueOptions options_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<LabelQueue> queue_;
  std::vector<int64_t> ids_;
};

TEST_F(LabelQueueTest, HandsOutEveryImageOnceInSeededOrder) {
  auto first = queue_->Next(5, "ann", 60);
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_EQ(first->size(), 5u);
  for (size_t i = 0; i < first->size(); ++i) {
    EXPECT_EQ((*first)[i].rank, static_cast<int64_t>(i));
    EXPECT_EQ((*first)[i].strategy, "random");
    EXPECT_FALSE((*first)[i].lease_id.empty());
    EXPECT_EQ((*first)[i].lease_expires_ms, kStartMs + 60'000);
  }
  // Scores of the random order come out in descending order.
  for (size_t i = 1; i < first->size(); ++i) EXPECT_GE((*first)[i - 1].score, (*first)[i].score);
  auto rest = queue_->Next(100, "ann", 60);
  ASSERT_EQ(rest->size(), 15u);
  EXPECT_TRUE(queue_->Next(1, "ann", 60)->empty());
  EXPECT_EQ(queue_->Remaining(), 0u);

  // Another queue over another store with the same seed hands out the same order.
  std::vector<int64_t> order;
  for (const Handout& h : *first) order.push_back(h.image.id);
  std::vector<int64_t> ids_sorted(order);
  std::sort(ids_sorted.begin(), ids_sorted.end());
  EXPECT_NE(order, ids_sorted);
}

TEST_F(LabelQueueTest, ConcurrentAnnotatorsNeverShareAnImage) {
  std::vector<std::vector<int64_t>> got(8);
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      while (true) {
        auto batch = queue_->Next(2, "ann" + std::to_string(t), 60);
        ASSERT_TRUE(batch.ok());
        if (batch->empty()) return;
        for (const Handout& h : *batch) got[t].push_back(h.image.id);
      }
    });
  }
  for (std::thread& t : threads) t.join();
  std::set<int64_t> seen;
  size_t total = 0;
  for (const auto& ids : got) {
    total += ids.size();
    seen.insert(ids.begin(), ids.end());
  }
  EXPECT_EQ(total, 20u);
  EXPECT_EQ(seen.size(), 20u);
}

TEST_F(LabelQueueTest, ExpiredLeaseReturnsTheImageAndRefusesSubmit) {
  auto batch = queue_->Next(20, "alice", 30);
  ASSERT_EQ(batch->size(), 20u);
  const Handout& h = (*batch)[0];
  clock_.AdvanceMs(30'000);
  EXPECT_EQ(queue_->Remaining(), 20u);
  absl::Status status = queue_->Submit(h.image.id, h.lease_id, OneBox()).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(status.message(), HasSubstr("no live lease"));
  auto again = queue_->Next(20, "bob", 30);
  EXPECT_EQ(again->size(), 20u);
}

TEST_F(LabelQueueTest, SubmitNeedsTheImagesOwnLease) {
  auto batch = queue_->Next(2, "alice", 60);
  const Handout& a = (*batch)[0];
  const Handout& b = (*batch)[1];
  absl::Status foreign = queue_->Submit(a.image.id, b.lease_id, OneBox()).status();
  EXPECT_EQ(foreign.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(foreign.message(), HasSubstr("not the live lease"));
  ASSERT_TRUE(queue_->Submit(a.image.id, a.lease_id, OneBox()).ok());
  // Resubmitting with the consumed lease fails; the stored label stays.
  absl::Status twice = queue_->Submit(a.image.id, a.lease_id, OneBox()).status();
  EXPECT_EQ(twice.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(twice.message(), HasSubstr("already labeled"));
  EXPECT_EQ((*store_->LatestLabel(a.image.id))->version(), 1);
  EXPECT_EQ(queue_->Submit(9999, "x", OneBox()).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(LabelQueueTest, BadBoxStoresNothingAndKeepsTheLease) {
  auto batch = queue_->Next(1, "alice", 60);
  const Handout& h = (*batch)[0];
  auto boxes = OneBox();
  boxes.Mutable(0)->set_class_name("dog");
  absl::Status status = queue_->Submit(h.image.id, h.lease_id, boxes).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("box 0"));
  EXPECT_FALSE(store_->LatestLabel(h.image.id)->has_value());
  EXPECT_TRUE(queue_->Submit(h.image.id, h.lease_id, OneBox()).ok());
}

TEST_F(LabelQueueTest, SkipGoesBehindAndReleaseComesBackAtRank) {
  auto batch = queue_->Next(2, "alice", 60);
  int64_t skipped = (*batch)[0].image.id;
  int64_t released = (*batch)[1].image.id;
  ASSERT_TRUE(queue_->Skip(skipped, (*batch)[0].lease_id).ok());
  ASSERT_TRUE(queue_->Release(released, (*batch)[1].lease_id).ok());
  auto all = queue_->Next(20, "bob", 60);
  ASSERT_EQ(all->size(), 20u);
  EXPECT_EQ(all->front().image.id, released);  // It was second; the first is now skipped.
  EXPECT_EQ(all->back().image.id, skipped);
}

TEST_F(LabelQueueTest, LeasesAndLabelsSurviveARestart) {
  auto batch = queue_->Next(3, "alice", 60);
  ASSERT_TRUE(queue_->Submit((*batch)[0].image.id, (*batch)[0].lease_id, OneBox()).ok());
  Restart();
  EXPECT_EQ(queue_->Remaining(), 17u);  // 20 - 1 labeled - 2 still leased.
  ASSERT_TRUE(queue_->Submit((*batch)[1].image.id, (*batch)[1].lease_id, OneBox()).ok());
  clock_.AdvanceMs(61'000);
  EXPECT_EQ(queue_->Remaining(), 18u);  // The last lease expired back into the pool.
}

TEST_F(LabelQueueTest, ScoresRankTheQueueAndMarkStaleOnes) {
  std::vector<std::pair<int64_t, QueueScore>> scores;
  for (size_t i = 0; i < ids_.size(); ++i) {
    // Distinct scores far apart (no ties): image i scores i / 20.
    scores.push_back({ids_[i], {static_cast<double>(i) / 20.0, "v1", "entropy"}});
  }
  queue_->SetScores(scores);
  queue_->SetServingVersion("v2");
  auto batch = queue_->Next(3, "ann", 60);
  ASSERT_EQ(batch->size(), 3u);
  EXPECT_EQ((*batch)[0].image.id, ids_[19]);
  EXPECT_EQ((*batch)[1].image.id, ids_[18]);
  EXPECT_DOUBLE_EQ((*batch)[0].uncertainty, 19.0 / 20.0);
  EXPECT_EQ((*batch)[0].strategy, "entropy");
  EXPECT_EQ((*batch)[0].model_version, "v1");
  EXPECT_TRUE((*batch)[0].stale);
  EXPECT_EQ(queue_->RankedSnapshot(2), (std::vector<int64_t>{ids_[16], ids_[15]}));
}

TEST_F(LabelQueueTest, NearTiesAtTheCutAreShuffledPerRequest) {
  // Ten images tie at the head (0.9 +- 0.001); every request for 2 should draw from all ten.
  std::vector<std::pair<int64_t, QueueScore>> scores;
  for (size_t i = 0; i < ids_.size(); ++i) {
    double u = i < 10 ? 0.9 + 0.0001 * static_cast<double>(i) : 0.1;
    scores.push_back({ids_[i], {u, "v1", "entropy"}});
  }
  queue_->SetScores(scores);
  std::set<int64_t> firsts;
  for (int round = 0; round < 40; ++round) {
    auto batch = queue_->Next(2, "ann", 60);
    ASSERT_EQ(batch->size(), 2u);
    for (const Handout& h : *batch) {
      EXPECT_LT(std::find(ids_.begin(), ids_.end(), h.image.id) - ids_.begin(), 10);
      ASSERT_TRUE(queue_->Release(h.image.id, h.lease_id).ok());
    }
    firsts.insert((*batch)[0].image.id);
  }
  EXPECT_GT(firsts.size(), 3u);  // Not always the same image first.
}

TEST_F(LabelQueueTest, NearTiesAreShuffledOnlyWithinTheCandidateBudget) {
  // Every image ties: a request for 2 draws from the first 2 + candidate_factor x 2 by rank
  // (a million close scores must not all be popped and shuffled), and the rest stay put.
  std::vector<std::pair<int64_t, QueueScore>> scores;
  for (int64_t id : ids_) scores.push_back({id, {0.5, "v1", "entropy"}});
  queue_->SetScores(scores);
  const size_t budget = 2 + 2 * static_cast<size_t>(options_.candidate_factor);
  ASSERT_LT(budget, ids_.size());
  std::vector<int64_t> head = queue_->RankedSnapshot(budget);
  std::set<int64_t> drawn;
  for (int round = 0; round < 40; ++round) {
    auto batch = queue_->Next(2, "ann", 60);
    ASSERT_EQ(batch->size(), 2u);
    for (const Handout& h : *batch) {
      EXPECT_NE(std::find(head.begin(), head.end(), h.image.id), head.end()) << h.image.id;
      drawn.insert(h.image.id);
      ASSERT_TRUE(queue_->Release(h.image.id, h.lease_id).ok());
    }
  }
  EXPECT_GT(drawn.size(), 2u);  // Shuffled, not always the same two.
  EXPECT_EQ(queue_->Remaining(), ids_.size());
}

TEST_F(LabelQueueTest, WithoutEmbeddingsThePickerIsSkippedAndRankOrderServes) {
  // Scores without embeddings give a diversity picker nothing to measure: Next takes images by
  // rank and never calls it (nor pops its candidates).
  std::vector<std::pair<int64_t, QueueScore>> scores;
  for (size_t i = 0; i < ids_.size(); ++i) {
    scores.push_back({ids_[i], {static_cast<double>(i) / 20.0, "v1", "entropy"}});
  }
  queue_->SetScores(scores);
  int calls = 0;
  queue_->SetBatchPicker([&](const std::vector<BatchCandidate>&, int) {
    ++calls;
    return std::vector<BatchPick>{};
  });
  auto batch = queue_->Next(2, "ann", 60);
  ASSERT_EQ(batch->size(), 2u);
  EXPECT_EQ((*batch)[0].image.id, ids_[19]);
  EXPECT_EQ((*batch)[1].image.id, ids_[18]);
  EXPECT_EQ(calls, 0);
  // One image scored with an embedding turns the picker on.
  queue_->SetScores({{ids_[0], {0.01, "v1", "entropy", true}}});
  batch = queue_->Next(2, "ann", 60);
  EXPECT_EQ(calls, 1);
  // And removing it turns it off again.
  queue_->RemoveImages({ids_[0]});
  batch = queue_->Next(2, "ann", 60);
  EXPECT_EQ(calls, 1);
  ASSERT_EQ(batch->size(), 2u);
}

TEST_F(LabelQueueTest, BatchPickerChoosesAmongCandidatesAndTheRestStay) {
  std::vector<std::pair<int64_t, QueueScore>> scores;
  for (size_t i = 0; i < ids_.size(); ++i) {
    scores.push_back({ids_[i], {static_cast<double>(i) / 20.0, "v1", "entropy", true}});
  }
  queue_->SetScores(scores);
  size_t seen_candidates = 0;
  queue_->SetBatchPicker([&](const std::vector<BatchCandidate>& candidates, int count) {
    seen_candidates = candidates.size();
    // Pick the last ranked candidates, as a diversity rule might.
    std::vector<BatchPick> picks;
    for (int i = 0; i < count; ++i) {
      picks.push_back({static_cast<int>(candidates.size()) - 1 - i, 0.5, "hybrid"});
    }
    return picks;
  });
  auto batch = queue_->Next(2, "ann", 60);
  ASSERT_EQ(batch->size(), 2u);
  EXPECT_EQ(seen_candidates, 2u * options_.candidate_factor + 2u);  // Ranked + random sample.
  EXPECT_EQ((*batch)[0].strategy, "hybrid");
  EXPECT_DOUBLE_EQ((*batch)[0].diversity, 0.5);
  EXPECT_EQ(queue_->Remaining(), 18u);  // Unpicked candidates went back.
  EXPECT_EQ(queue_->RankedSnapshot(1).front() == (*batch)[0].image.id, false);
}

TEST_F(LabelQueueTest, RefusesBadRequests) {
  EXPECT_EQ(queue_->Next(0, "a", 60).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(queue_->Next(1000, "a", 60).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(queue_->Next(1, "", 60).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(queue_->Next(1, "a", -1).status().code(), absl::StatusCode::kInvalidArgument);
  auto batch = queue_->Next(1, "a", 0);
  EXPECT_EQ((*batch)[0].lease_expires_ms, kStartMs + options_.default_lease_seconds * 1000LL);
}

}  // namespace
}  // namespace labelloop
