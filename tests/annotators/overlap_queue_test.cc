// The queue with annotator overlap on a real store, time moved by hand: leases of an overlap
// image expire, are released and skipped one place at a time, and restarts keep who labeled;
// disagreeing labels go to the head of the review queue.

#include <map>
#include <set>

#include "common/label_review.h"
#include "common/sha256.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sampler/label_queue.h"
#include "tests/common/temp_dir.h"

namespace labelloop {
namespace {

constexpr int64_t kStartMs = 1'700'000'000'000;

class OverlapQueueTest : public ::testing::Test {
 protected:
  void SetUp() override {
    options_.overlap.share = 1.0;
    options_.overlap.annotators = 2;
    OpenStore();
    ASSERT_TRUE(store_->SetClasses({"cell"}).ok());
    NewImage image;
    image.uri = "overlap-image";
    image.sha256 = Sha256Hex(image.uri);
    image.width = 100;
    image.height = 80;
    auto added = store_->AddImages({image});
    ASSERT_TRUE(added.ok());
    image_id_ = (*added)[0].image_id;
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
  // The one image's lease for `annotator`, or "" when the queue gives them nothing.
  std::string Take(const std::string& annotator, int lease_seconds = 60) {
    auto batch = queue_->Next(4, annotator, lease_seconds);
    EXPECT_TRUE(batch.ok()) << batch.status();
    if (!batch.ok() || batch->empty()) return "";
    EXPECT_EQ(batch->size(), 1u);
    return (*batch)[0].lease_id;
  }
  absl::StatusOr<StoredLabel> Label(const std::string& lease_id) {
    return queue_->Submit(image_id_, lease_id, {});
  }

  TempDir dir_;
  ManualClock clock_{kStartMs};
  QueueOptions options_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<LabelQueue> queue_;
  int64_t image_id_ = 0;
};

TEST_F(OverlapQueueTest, ExpiredPlaceGoesToSomeoneElse) {
  std::string alice = Take("alice", 10);
  ASSERT_FALSE(alice.empty());
  ASSERT_FALSE(Take("bob", 60).empty());
  EXPECT_EQ(Take("carol"), "");  // Both places are held.
  clock_.AdvanceMs(11'000);      // Alice's lease runs out, Bob's does not.
  std::string carol = Take("carol");
  ASSERT_FALSE(carol.empty());
  absl::StatusOr<StoredLabel> late = Label(alice);
  EXPECT_EQ(late.status().code(), absl::StatusCode::kFailedPrecondition);
  absl::StatusOr<StoredLabel> first = Label(carol);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_TRUE(first->overlap.overlap);
  EXPECT_FALSE(first->overlap.complete);
  EXPECT_EQ(first->overlap.submissions, 1);
}

TEST_F(OverlapQueueTest, ReleaseAndSkipGiveThePlaceBack) {
  std::string alice = Take("alice");
  std::string bob = Take("bob");
  ASSERT_TRUE(queue_->Release(image_id_, alice).ok());
  std::string carol = Take("carol");
  ASSERT_FALSE(carol.empty());
  ASSERT_TRUE(queue_->Skip(image_id_, bob).ok());
  // Bob skipped it: his place is free again, for anyone (Bob too, as after a release).
  std::string dave = Take("dave");
  ASSERT_FALSE(dave.empty());
  ASSERT_TRUE(Label(carol).ok());
  absl::StatusOr<StoredLabel> last = Label(dave);
  ASSERT_TRUE(last.ok()) << last.status();
  EXPECT_TRUE(last->overlap.complete);
  EXPECT_DOUBLE_EQ(last->overlap.agreement, 1.0);  // Two empty labels agree.
  EXPECT_FALSE(last->overlap.sent_to_review);
  EXPECT_EQ(queue_->Remaining(), 0u);
  auto image = store_->GetImage(image_id_, clock_.NowMs());
  ASSERT_TRUE(image.ok());
  EXPECT_EQ(image->state, v1::IMAGE_STATE_LABELED);
  EXPECT_EQ(image->label_versions, 2);
}

TEST_F(OverlapQueueTest, RestartKeepsWhoLabeledAndLiveLeases) {
  std::string alice = Take("alice");
  std::string bob = Take("bob");
  ASSERT_TRUE(Label(alice).ok());
  Restart();
  EXPECT_EQ(Take("alice"), "");  // Labeled it already.
  EXPECT_EQ(Take("carol"), "");  // Bob still holds the other place.
  absl::StatusOr<StoredLabel> last = Label(bob);
  ASSERT_TRUE(last.ok()) << last.status();
  EXPECT_TRUE(last->overlap.complete);
}

TEST_F(OverlapQueueTest, NoShareMeansOneAnnotator) {
  options_.overlap.share = 0.0;
  Restart();
  std::string alice = Take("alice");
  ASSERT_FALSE(alice.empty());
  EXPECT_EQ(Take("bob"), "");
  absl::StatusOr<StoredLabel> label = Label(alice);
  ASSERT_TRUE(label.ok());
  EXPECT_FALSE(label->overlap.overlap);
  EXPECT_EQ(store_->GetImage(image_id_, clock_.NowMs())->state, v1::IMAGE_STATE_LABELED);
}

}  // namespace
}  // namespace labelloop

namespace labelloop {
namespace {

// Disagreeing overlap labels wait as pending and come first in the review queue, before older
// pending labels.
TEST(OverlapReviewTest, DisagreementIsPendingAndReviewedFirst) {
  TempDir dir;
  StoreOptions options;
  options.review.mode = v1::ReviewConfig::SAMPLED;
  options.review.sample_share = 0.0;
  options.review.annotator_share["newcomer"] = 1.0;  // Their labels wait for review.
  auto store = Store::Open(dir.path(), options);
  ASSERT_TRUE(store.ok()) << store.status();
  ASSERT_TRUE((*store)->SetClasses({"cell", "dog"}).ok());
  auto class_ids = (*store)->ClassIds();
  ASSERT_TRUE(class_ids.ok());
  std::vector<NewImage> images(2);
  for (int i = 0; i < 2; ++i) {
    images[i].uri = "review" + std::to_string(i);
    images[i].sha256 = Sha256Hex(images[i].uri);
    images[i].width = images[i].height = 100;
  }
  auto added = (*store)->AddImages(images);
  ASSERT_TRUE(added.ok());
  const int64_t older = (*added)[0].image_id;
  const int64_t overlap = (*added)[1].image_id;
  auto submit = [&](int64_t image_id, const std::string& annotator, int slot,
                    std::vector<ValidBox> boxes, std::optional<OverlapRule> rule) {
    const std::string lease = annotator + std::to_string(image_id);
    EXPECT_TRUE((*store)->PutLeases({{image_id, lease, annotator, kStartMs + 60'000, slot}}).ok());
    NewLabel label;
    label.image_id = image_id;
    label.lease_id = lease;
    label.annotator = annotator;
    label.boxes = std::move(boxes);
    label.overlap = rule;
    auto stored = (*store)->SubmitLabel(label, kStartMs);
    EXPECT_TRUE(stored.ok()) << stored.status();
    return stored.ok() ? stored->overlap : OverlapOutcome();
  };
  submit(older, "newcomer", 0, {}, std::nullopt);
  OverlapRule rule;
  rule.share = 1.0;
  const int64_t cell = (*class_ids)["cell"];
  const int64_t dog = (*class_ids)["dog"];
  submit(overlap, "alice", 1, {{10, 10, 50, 50, cell}}, rule);
  OverlapOutcome outcome = submit(overlap, "bob", 2, {{10, 10, 50, 50, dog}}, rule);
  EXPECT_TRUE(outcome.complete);
  EXPECT_DOUBLE_EQ(outcome.agreement, 0.0);
  EXPECT_TRUE(outcome.sent_to_review);

  for (const char* reviewer : {"rev1", "rev2"}) {
    auto next = LeaseNextReview(store->get(), reviewer, reviewer, kStartMs + 60'000, kStartMs);
    ASSERT_TRUE(next.ok()) << next.status();
    ASSERT_TRUE(next->has_value());
    EXPECT_EQ((*next)->label.image_id(), overlap) << reviewer;
    EXPECT_EQ((*next)->label.status(), v1::LABEL_STATUS_PENDING);
  }
  auto last = LeaseNextReview(store->get(), "rev3", "rev3", kStartMs + 60'000, kStartMs);
  ASSERT_TRUE(last.ok() && last->has_value());
  EXPECT_EQ((*last)->label.image_id(), older);
}

}  // namespace
}  // namespace labelloop

namespace labelloop {
namespace {

// With a share below 1, the chosen images go to two annotators and the others to one, side by
// side in one queue.
TEST(OverlapShareTest, ChosenImagesTwiceOthersOnce) {
  TempDir dir;
  auto store = Store::Open(dir.path(), StoreOptions{});
  ASSERT_TRUE(store.ok()) << store.status();
  std::vector<NewImage> images(40);
  for (size_t i = 0; i < images.size(); ++i) {
    images[i].uri = "share" + std::to_string(i);
    images[i].sha256 = Sha256Hex(images[i].uri);
    images[i].width = images[i].height = 50;
  }
  auto added = (*store)->AddImages(images);
  ASSERT_TRUE(added.ok());
  QueueOptions options;
  options.overlap.share = 0.5;
  ManualClock clock(kStartMs);
  auto queue = LabelQueue::Create(store->get(), options, &clock);
  ASSERT_TRUE(queue.ok()) << queue.status();
  std::map<int64_t, int> labels;
  for (const char* annotator : {"alice", "bob", "alice", "bob"}) {
    auto batch = (*queue)->Next(64, annotator, 60);
    ASSERT_TRUE(batch.ok()) << batch.status();
    for (const Handout& h : *batch) {
      ASSERT_TRUE((*queue)->Submit(h.image.id, h.lease_id, {}).ok());
      ++labels[h.image.id];
    }
  }
  int overlapping = 0;
  for (const AddImageResult& r : *added) {
    const bool chosen = options.overlap.Selects(r.image_id);
    overlapping += chosen ? 1 : 0;
    EXPECT_EQ(labels[r.image_id], chosen ? 2 : 1) << "image " << r.image_id;
    EXPECT_EQ((*store)->GetImage(r.image_id, kStartMs)->state, v1::IMAGE_STATE_LABELED);
  }
  EXPECT_GT(overlapping, 5);
  EXPECT_LT(overlapping, 35);
  EXPECT_EQ((*queue)->Remaining(), 0u);
}

}  // namespace
}  // namespace labelloop
