// The review workflow in a real store on disk: only accepted labels train and count, review
// leases, reject back to the queue, reviewer edits as new versions, and the label history.

#include "common/label_review.h"

#include "absl/strings/str_cat.h"
#include "common/config_loader.h"
#include "common/review_rule.h"
#include "common/sha256.h"
#include "common/store.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/common/temp_dir.h"

namespace labelloop {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr int64_t kNow = 1'700'000'000'000;
constexpr int64_t kMinute = 60'000;

class LabelReviewTest : public ::testing::Test {
 protected:
  void SetUp() override {
    StoreOptions options;
    options.review.mode = v1::ReviewConfig::REVIEW_ALL;
    absl::StatusOr<std::unique_ptr<Store>> store = Store::Open(dir_.path(), options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    ASSERT_TRUE(store_->SetClasses({"cat", "dog"}).ok());
  }
  int64_t AddImage(const std::string& content) {
    NewImage image;
    image.uri = "/images/" + content + ".jpg";
    image.sha256 = Sha256Hex(content);
    image.size_bytes = static_cast<int64_t>(content.size());
    image.width = 640;
    image.height = 480;
    auto added = store_->AddImages({image});
    EXPECT_TRUE(added.ok()) << added.status();
    return (*added)[0].image_id;
  }
  // Leases the image to `annotator` and submits one box of `class_name`.
  StoredLabel Submit(int64_t image_id, const std::string& annotator,
                     const std::string& class_name = "cat", float x2 = 30) {
    const std::string lease = absl::StrCat("L", image_id, annotator, ++submissions_);
    EXPECT_TRUE(store_->PutLeases({{image_id, lease, annotator, kNow + kMinute}}).ok());
    NewLabel label;
    label.image_id = image_id;
    label.lease_id = lease;
    label.annotator = annotator;
    label.boxes.push_back({1, 2, x2, 40, store_->ClassIds()->at(class_name)});
    absl::StatusOr<StoredLabel> stored = store_->SubmitLabel(label, kNow);
    EXPECT_TRUE(stored.ok()) << stored.status();
    return *stored;
  }
  ReviewHandout Next(const std::string& reviewer, const std::string& lease, int64_t now = kNow) {
    auto handout = LeaseNextReview(store_.get(), reviewer, lease, now + kMinute, now);
    EXPECT_TRUE(handout.ok()) << handout.status();
    EXPECT_TRUE(handout->has_value());
    return handout->value_or(ReviewHandout());
  }

  TempDir dir_;
  std::unique_ptr<Store> store_;
  int submissions_ = 0;
};

TEST_F(LabelReviewTest, OnlyAcceptedLabelsTrainAndCount) {
  const int64_t image = AddImage("a");
  StoredLabel stored = Submit(image, "ann");
  EXPECT_TRUE(stored.pending);
  EXPECT_THAT(*store_->LabeledExamples(""), IsEmpty());
  EXPECT_EQ(*store_->CountLabels(), 0);

  ReviewHandout handout = Next("rev", "R1");
  EXPECT_EQ(handout.label.label_id(), stored.id);
  EXPECT_EQ(handout.label.status(), v1::LABEL_STATUS_PENDING);
  EXPECT_EQ(handout.label.annotator(), "ann");
  ASSERT_EQ(handout.label.boxes_size(), 1);
  EXPECT_EQ(handout.label.boxes(0).class_name(), "cat");
  EXPECT_EQ(handout.uri, "/images/a.jpg");
  auto accepted = AcceptLabel(store_.get(), stored.id, "R1", kNow + 1);
  ASSERT_TRUE(accepted.ok()) << accepted.status();
  EXPECT_EQ(accepted->status(), v1::LABEL_STATUS_ACCEPTED);
  EXPECT_EQ(accepted->reviewer(), "rev");
  EXPECT_EQ(accepted->reviewed_unix_ms(), kNow + 1);

  auto examples = store_->LabeledExamples("");
  ASSERT_EQ(examples->size(), 1u);
  EXPECT_EQ((*examples)[0].label_id, stored.id);
  EXPECT_EQ(*store_->CountLabels(), 1);
  // Decided once: the lease is gone and the label is not pending any more.
  EXPECT_EQ(AcceptLabel(store_.get(), stored.id, "R1", kNow + 2).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST(LabelReviewDefaultTest, AutoAcceptIsTheDefaultAndTrainsAtOnce) {
  TempDir dir;
  auto store = Store::Open(dir.path(), StoreOptions{});
  ASSERT_TRUE(store.ok()) << store.status();
  ASSERT_TRUE((*store)->SetClasses({"cat"}).ok());
  NewImage image;
  image.uri = "/images/a.jpg";
  image.sha256 = Sha256Hex("a");
  image.width = 64;
  image.height = 48;
  const int64_t image_id = (*(*store)->AddImages({image}))[0].image_id;
  ASSERT_TRUE((*store)->PutLeases({{image_id, "L", "ann", kNow + kMinute}}).ok());
  NewLabel label;
  label.image_id = image_id;
  label.lease_id = "L";
  label.annotator = "ann";
  auto stored = (*store)->SubmitLabel(label, kNow);
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_FALSE(stored->pending);
  EXPECT_EQ((*store)->LabeledExamples("")->size(), 1u);
  EXPECT_EQ(*(*store)->CountLabels(), 1);
  auto none = LeaseNextReview(store->get(), "rev", "R", kNow + kMinute, kNow);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  auto history = LabelHistory(store->get(), image_id);
  ASSERT_EQ(history->size(), 1u);
  EXPECT_EQ((*history)[0].status(), v1::LABEL_STATUS_ACCEPTED);
  EXPECT_EQ((*history)[0].reviewer(), "");
}

TEST_F(LabelReviewTest, TwoReviewersNeverGetTheSameLabelAndExpiredLeasesReturn) {
  const StoredLabel first = Submit(AddImage("a"), "ann");
  const StoredLabel second = Submit(AddImage("b"), "ann");
  const StoredLabel own = Submit(AddImage("c"), "rev2");

  ReviewHandout a = Next("rev1", "A");
  ReviewHandout b = Next("rev2", "B");
  EXPECT_EQ(a.label.label_id(), first.id);
  EXPECT_EQ(b.label.label_id(), second.id);  // Not the first (leased), not its own.
  EXPECT_EQ(b.pending_left, 1);              // rev2's own label, for someone else.
  auto none = LeaseNextReview(store_.get(), "rev2", "B2", kNow + kMinute, kNow);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value()) << "a reviewer never reviews their own label";
  EXPECT_EQ(Next("rev1", "A2").label.label_id(), own.id);

  // Another reviewer's lease or a made-up one decides nothing.
  auto wrong = AcceptLabel(store_.get(), first.id, "B", kNow);
  EXPECT_EQ(wrong.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(wrong.status().message(), HasSubstr("GetNextReview"));
  // After A's lease expires the label goes to the next reviewer, and A's lease is dead.
  const int64_t later = kNow + 2 * kMinute;
  EXPECT_EQ(Next("rev3", "C", later).label.label_id(), first.id);
  EXPECT_EQ(AcceptLabel(store_.get(), first.id, "A", later).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(AcceptLabel(store_.get(), first.id, "C", later).ok());
  // Released: free at once.
  ASSERT_TRUE(ReleaseReview(store_.get(), second.id, "B").ok());
  EXPECT_EQ(Next("rev3", "D", kNow).label.label_id(), second.id);
  EXPECT_EQ(ReleaseReview(store_.get(), second.id, "B").code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(LabelReviewTest, RejectReturnsTheImageToTheQueueWithContext) {
  const int64_t image = AddImage("a");
  const StoredLabel stored = Submit(image, "ann");
  Next("rev", "R");
  EXPECT_EQ(RejectLabel(store_.get(), stored.id, "R", "", kNow).status().code(),
            absl::StatusCode::kInvalidArgument);
  auto rejected = RejectLabel(store_.get(), stored.id, "R", "the cat's tail is cut off", kNow);
  ASSERT_TRUE(rejected.ok()) << rejected.status();
  EXPECT_EQ(rejected->status(), v1::LABEL_STATUS_REJECTED);
  EXPECT_EQ(rejected->reject_reason(), "the cat's tail is cut off");

  auto candidates = store_->QueueCandidates();
  ASSERT_EQ(candidates->size(), 1u);
  EXPECT_EQ((*candidates)[0].id, image);
  auto context = RejectedLatestLabels(store_.get(), {image, image + 100});
  ASSERT_TRUE(context.ok()) << context.status();
  ASSERT_EQ(context->size(), 1u);
  EXPECT_EQ(context->at(image).reject_reason(), "the cat's tail is cut off");
  EXPECT_EQ(context->at(image).boxes_size(), 1);
  EXPECT_THAT(*store_->LabeledExamples(""), IsEmpty());

  // Labeled again: version 2, pending; no rejection context any more.
  const StoredLabel again = Submit(image, "ann", "cat", 60);
  EXPECT_EQ(again.version, 2);
  EXPECT_THAT(*RejectedLatestLabels(store_.get(), {image}), IsEmpty());
}

TEST_F(LabelReviewTest, EditIsANewAcceptedVersionAndHistoryKeepsEverything) {
  const int64_t image = AddImage("a");
  const StoredLabel stored = Submit(image, "ann", "cat");
  Next("rev", "R");
  const int64_t dog = store_->ClassIds()->at("dog");
  auto edited = EditLabel(store_.get(), stored.id, "R", {{5, 6, 100, 120, dog}}, kNow + 5);
  ASSERT_TRUE(edited.ok()) << edited.status();
  EXPECT_EQ(edited->closed.status(), v1::LABEL_STATUS_REJECTED);
  EXPECT_THAT(edited->closed.reject_reason(), HasSubstr("version 2"));
  EXPECT_EQ(edited->edited.version(), 2);
  EXPECT_EQ(edited->edited.status(), v1::LABEL_STATUS_ACCEPTED);
  EXPECT_EQ(edited->edited.source(), v1::LABEL_SOURCE_REVIEWER);
  EXPECT_EQ(edited->edited.annotator(), "rev");
  EXPECT_EQ(edited->edited.revises_label_id(), stored.id);

  auto examples = store_->LabeledExamples("");
  ASSERT_EQ(examples->size(), 1u);
  ASSERT_EQ((*examples)[0].boxes.size(), 1u);
  EXPECT_EQ((*examples)[0].boxes[0].class_id, dog);
  EXPECT_EQ(*store_->CountLabels(), 1);

  auto history = LabelHistory(store_.get(), image);
  ASSERT_TRUE(history.ok()) << history.status();
  ASSERT_EQ(history->size(), 2u);
  EXPECT_EQ((*history)[0].annotator(), "ann");
  EXPECT_EQ((*history)[0].source(), v1::LABEL_SOURCE_HUMAN);
  EXPECT_EQ((*history)[0].boxes(0).class_name(), "cat");
  EXPECT_EQ((*history)[0].reviewer(), "rev");
  EXPECT_EQ((*history)[1].boxes(0).class_name(), "dog");
  EXPECT_EQ((*history)[1].created_unix_ms(), kNow + 5);
  EXPECT_EQ(LabelHistory(store_.get(), image + 100).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(LabelReviewTest, HistoryNamesTheModelWhosePrelabelsWereShown) {
  const int64_t image = AddImage("a");
  ASSERT_TRUE(store_
                  ->Transact([&](SqliteDb* db) {
                    auto insert = db->Prepare(
                        "INSERT INTO image_scores(image_id, model_version, uncertainty, parts,"
                        " predictions, scored_ms) VALUES(?, 'v3', 0.5, x'', x'', 0)");
                    if (!insert.ok()) return insert.status();
                    return insert->Bind(1, image).Run();
                  })
                  .ok());
  Submit(image, "ann");
  auto history = LabelHistory(store_.get(), image);
  ASSERT_EQ(history->size(), 1u);
  EXPECT_EQ((*history)[0].prelabel_model_version(), "v3");
}

TEST(ReviewRuleTest, SampledSharesPerAnnotatorAreDeterministicAndRoughlyRight) {
  auto config = ParseConfig(
      "review { mode: SAMPLED sample_share: 0.3"
      " annotator_share { key: \"new\" value: 1 } annotator_share { key: \"trusted\" value: 0 } }",
      "test");
  ASSERT_TRUE(config.ok()) << config.status();
  const ReviewRule rule = ReviewRule::FromConfig(config->review());
  int reviewed = 0;
  for (int64_t id = 1; id <= 10000; ++id) {
    reviewed += rule.NeedsReview(id, "ann") ? 1 : 0;
    EXPECT_TRUE(rule.NeedsReview(id, "new"));
    EXPECT_FALSE(rule.NeedsReview(id, "trusted"));
    EXPECT_EQ(rule.NeedsReview(id, "ann"), rule.NeedsReview(id, "other"));
  }
  EXPECT_NEAR(reviewed / 10000.0, 0.3, 0.02);
  EXPECT_FALSE(ReviewRule().NeedsReview(1, "ann"));
}

TEST(ReviewConfigTest, BadValuesAreNamed) {
  EXPECT_THAT(ParseConfig("review { sample_share: 1.5 }", "t").status().message(),
              HasSubstr("review.sample_share"));
  EXPECT_THAT(
      ParseConfig("review { annotator_share { key: \"bob\" value: -1 } }", "t").status().message(),
      HasSubstr("review.annotator_share[\"bob\"]"));
  EXPECT_THAT(
      ParseConfig("review { lease_seconds: 100 max_lease_seconds: 10 }", "t").status().message(),
      HasSubstr("review.lease_seconds"));
  EXPECT_THAT(ParseConfig("review { mode: LATER }", "t").status().message(), HasSubstr("LATER"));
  auto defaults = ParseConfig("", "t");
  ASSERT_TRUE(defaults.ok());
  EXPECT_EQ(defaults->review().mode(), v1::ReviewConfig::AUTO_ACCEPT);
}

}  // namespace
}  // namespace labelloop
