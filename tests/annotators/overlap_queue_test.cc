// The queue with annotator overlap on a real store, time moved by hand: leases of an overlap
// image expire, are released and skipped one place at a time, and restarts keep who labeled.

#include <set>

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
  clock_.AdvanceMs(11'000);       // Alice's lease runs out, Bob's does not.
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
