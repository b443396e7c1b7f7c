#include "common/class_changes.h"

#include "absl/strings/str_cat.h"
#include "common/label_review.h"
#include "common/sha256.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/common/temp_dir.h"

namespace labelloop {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr int64_t kNow = 1'700'000'000'000;

class ClassChangesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<Store>> store = Store::Open(dir_.path(), StoreOptions{});
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    ASSERT_TRUE(store_->SetClasses({"cat", "dog", "kitten", "bird"}).ok());
  }
  // Stores an image labeled with one box per class name given.
  int64_t Labeled(const std::string& content, const std::vector<std::string>& classes) {
    NewImage image;
    image.uri = "/images/" + content + ".jpg";
    image.sha256 = Sha256Hex(content);
    image.width = 640;
    image.height = 480;
    auto added = store_->AddImages({image});
    EXPECT_TRUE(added.ok()) << added.status();
    const int64_t id = (*added)[0].image_id;
    EXPECT_TRUE(store_->PutLeases({{id, "L" + content, "ann", kNow + 1000}}).ok());
    NewLabel label;
    label.image_id = id;
    label.lease_id = "L" + content;
    label.annotator = "ann";
    auto ids = store_->ClassIds();
    float x = 1;
    for (const std::string& name : classes) {
      label.boxes.push_back({x, 2, x + 20, 40, ids->at(name)});
      x += 30;
    }
    EXPECT_TRUE(store_->SubmitLabel(label, kNow).ok());
    return id;
  }
  std::vector<std::string> LatestClasses(int64_t image_id) {
    auto label = store_->LatestLabel(image_id);
    EXPECT_TRUE(label.ok() && label->has_value());
    std::vector<std::string> names;
    for (const v1::Box& box : (*label)->boxes()) names.push_back(box.class_name());
    return names;
  }
  std::vector<std::string> ClassNames() {
    std::vector<std::string> names;
    absl::StatusOr<std::vector<v1::ClassInfo>> classes = store_->ListClasses();
    EXPECT_TRUE(classes.ok()) << classes.status();
    for (const v1::ClassInfo& c : *classes) names.push_back(c.name());
    return names;
  }
  int64_t ToReview(int64_t image_id) {
    int64_t seq = 0;
    EXPECT_TRUE(store_
                    ->Read([&](SqliteDb* db) -> absl::Status {
                      auto q = db->Prepare(
                          "SELECT class_change_seq FROM images_to_review WHERE image_id = ?");
                      if (!q.ok()) return q.status();
                      q->Bind(1, image_id);
                      auto row = q->Step();
                      if (row.ok() && *row) seq = q->ColumnInt(0);
                      return absl::OkStatus();
                    })
                    .ok());
    return seq;
  }

  TempDir dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(ClassChangesTest, RenameKeepsBoxesAndWritesNoLabel) {
  const int64_t image = Labeled("a", {"cat", "dog"});
  auto change = RenameClass(store_.get(), "cat", "feline", kNow);
  ASSERT_TRUE(change.ok()) << change.status();
  EXPECT_EQ(change->kind(), v1::CLASS_CHANGE_KIND_RENAME);
  EXPECT_THAT(change->from_names(), ElementsAre("cat"));
  EXPECT_EQ(change->to_name(), "feline");
  EXPECT_TRUE(change->image_ids().empty());
  EXPECT_THAT(LatestClasses(image), ElementsAre("feline", "dog"));
  // Labeled() read ClassIds before the rename; submissions must see the new name at once.
  absl::StatusOr<absl::flat_hash_map<std::string, int64_t>> ids = store_->ClassIds();
  ASSERT_TRUE(ids.ok()) << ids.status();
  EXPECT_TRUE(ids->contains("feline"));
  EXPECT_FALSE(ids->contains("cat"));
  EXPECT_EQ((*store_->LatestLabel(image))->version(), 1);
  EXPECT_EQ(ToReview(image), 0);
  EXPECT_EQ(RenameClass(store_.get(), "cat", "x", kNow).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(RenameClass(store_.get(), "feline", "dog", kNow).status().code(),
            absl::StatusCode::kAlreadyExists);
  auto bad = RenameClass(store_.get(), "dog", "a,b", kNow);
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.status().message(), HasSubstr("to: bad class name"));
}

TEST_F(ClassChangesTest, MergeRemapsLatestLabelsAsNewVersionsAndKeepsHistory) {
  const int64_t both = Labeled("a", {"cat", "kitten", "bird"});
  const int64_t kitten_only = Labeled("b", {"kitten"});
  const int64_t untouched = Labeled("c", {"dog"});
  auto change = MergeClasses(store_.get(), {"kitten"}, "cat", kNow + 5);
  ASSERT_TRUE(change.ok()) << change.status();
  EXPECT_EQ(change->boxes_remapped(), 2);
  EXPECT_EQ(change->boxes_dropped(), 0);
  EXPECT_THAT(change->image_ids(), ElementsAre(both, kitten_only));
  EXPECT_THAT(LatestClasses(both), ElementsAre("cat", "cat", "bird"));
  EXPECT_THAT(LatestClasses(kitten_only), ElementsAre("cat"));
  auto latest = store_->LatestLabel(both);
  EXPECT_EQ((*latest)->version(), 2);
  EXPECT_EQ((*latest)->annotator(), absl::StrCat("class change ", change->seq()));
  EXPECT_EQ((*store_->LatestLabel(untouched))->version(), 1);
  // Marked ambiguous for review; the untouched image is not.
  EXPECT_EQ(ToReview(both), change->seq());
  EXPECT_EQ(ToReview(kitten_only), change->seq());
  EXPECT_EQ(ToReview(untouched), 0);
  // The first version still names the retired class; the class list no longer has it.
  int64_t old_kitten_boxes = 0;
  ASSERT_TRUE(store_
                  ->Read([&](SqliteDb* db) -> absl::Status {
                    auto q = db->Prepare(
                        "SELECT COUNT(*) FROM boxes b JOIN classes c ON c.id = b.class_id"
                        " JOIN labels l ON l.id = b.label_id"
                        " WHERE c.name = 'kitten' AND l.version = 1");
                    if (!q.ok()) return q.status();
                    auto row = q->Step();
                    old_kitten_boxes = q->ColumnInt(0);
                    return row.status();
                  })
                  .ok());
  EXPECT_EQ(old_kitten_boxes, 2);
  EXPECT_THAT(ClassNames(), ElementsAre("cat", "dog", "bird"));
  EXPECT_FALSE(store_->ClassIds()->contains("kitten"));
  // Training sees the merged labels only.
  auto examples = store_->LabeledExamples("");
  int64_t cat_id = store_->ClassIds()->at("cat");
  for (const LabeledExample& e : *examples) {
    for (const ValidBox& b : e.boxes) EXPECT_NE(b.class_id, 0);
    if (e.image_id == kitten_only) {
      EXPECT_EQ(e.boxes[0].class_id, cat_id);
    }
  }
}

TEST_F(ClassChangesTest, MergeIntoANewClassAndDeleteDropBoxes) {
  const int64_t image = Labeled("a", {"cat", "dog", "bird"});
  auto merged = MergeClasses(store_.get(), {"cat", "dog"}, "pet", kNow);
  ASSERT_TRUE(merged.ok()) << merged.status();
  EXPECT_THAT(LatestClasses(image), ElementsAre("pet", "pet", "bird"));
  EXPECT_THAT(ClassNames(), ElementsAre("kitten", "bird", "pet"));
  auto deleted = DeleteClass(store_.get(), "bird", kNow);
  ASSERT_TRUE(deleted.ok()) << deleted.status();
  EXPECT_EQ(deleted->boxes_dropped(), 1);
  EXPECT_THAT(LatestClasses(image), ElementsAre("pet", "pet"));
  EXPECT_EQ((*store_->LatestLabel(image))->version(), 3);
  EXPECT_EQ(ToReview(image), deleted->seq());
  // The name can come back; it is a class again, with no boxes in the latest labels.
  auto added = AddClass(store_.get(), "bird", kNow);
  ASSERT_TRUE(added.ok()) << added.status();
  EXPECT_THAT(ClassNames(), ElementsAre("kitten", "bird", "pet"));
  EXPECT_EQ(AddClass(store_.get(), "bird", kNow).status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(MergeClasses(store_.get(), {"pet"}, "pet", kNow).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(MergeClasses(store_.get(), {"nope"}, "pet", kNow).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(DeleteClass(store_.get(), "nope", kNow).status().code(), absl::StatusCode::kNotFound);

  auto changes = ListClassChanges(store_.get());
  ASSERT_TRUE(changes.ok()) << changes.status();
  ASSERT_EQ(changes->size(), 3u);
  EXPECT_EQ((*changes)[0].kind(), v1::CLASS_CHANGE_KIND_MERGE);
  EXPECT_THAT((*changes)[0].from_names(), ElementsAre("cat", "dog"));
  EXPECT_THAT((*changes)[0].image_ids(), ElementsAre(image));
  EXPECT_EQ((*changes)[1].kind(), v1::CLASS_CHANGE_KIND_DELETE);
  EXPECT_EQ((*changes)[2].kind(), v1::CLASS_CHANGE_KIND_ADD);
}

TEST_F(ClassChangesTest, RenameToADeletedNameKeepsTheOldBoxesUnderARetiredName) {
  const int64_t image = Labeled("a", {"bird"});
  ASSERT_TRUE(DeleteClass(store_.get(), "bird", kNow).ok());
  auto renamed = RenameClass(store_.get(), "dog", "bird", kNow);
  ASSERT_TRUE(renamed.ok()) << renamed.status();
  EXPECT_THAT(ClassNames(), ElementsAre("cat", "bird", "kitten"));
  std::string old_name;
  ASSERT_TRUE(store_
                  ->Read([&](SqliteDb* db) -> absl::Status {
                    auto q = db->Prepare(
                        "SELECT c.name FROM boxes b JOIN classes c ON c.id = b.class_id"
                        " JOIN labels l ON l.id = b.label_id WHERE l.image_id = ?"
                        " AND l.version = 1");
                    if (!q.ok()) return q.status();
                    q->Bind(1, image);
                    auto row = q->Step();
                    if (row.ok() && *row) old_name = q->ColumnText(0);
                    return row.status();
                  })
                  .ok());
  EXPECT_THAT(old_name, HasSubstr("bird (retired "));
  EXPECT_TRUE(LatestClasses(image).empty());
}

// A merge or delete rewrites boxes, not reviews: a pending label stays pending (and untrained),
// an accepted one accepted, a rejected one rejected with its reason; the old pending version is
// closed so that reviewers see only the rewritten one, which names it as revised.
TEST_F(ClassChangesTest, RewritesKeepReviewStatusAndSource) {
  const int64_t accepted = Labeled("a", {"kitten"});
  store_.reset();
  StoreOptions options;
  options.review.mode = v1::ReviewConfig::REVIEW_ALL;
  absl::StatusOr<std::unique_ptr<Store>> reopened = Store::Open(dir_.path(), options);
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  store_ = *std::move(reopened);
  const int64_t pending = Labeled("b", {"kitten", "dog"});
  const int64_t rejected = Labeled("c", {"kitten"});
  auto rejected_label = store_->LatestLabel(rejected);
  ASSERT_TRUE(rejected_label.ok() && rejected_label->has_value());
  ASSERT_TRUE(store_
                  ->Transact([&](SqliteDb* db) -> absl::Status {
                    auto q = db->Prepare(
                        "UPDATE labels SET status = 'rejected', reject_reason = 'sloppy',"
                        " reviewer = 'rita' WHERE id = ?");
                    if (!q.ok()) return q.status();
                    return q->Bind(1, (*rejected_label)->id()).Run();
                  })
                  .ok());

  auto change = MergeClasses(store_.get(), {"kitten"}, "cat", kNow + 5);
  ASSERT_TRUE(change.ok()) << change.status();
  auto history = [&](int64_t image) {
    auto versions = LabelHistory(store_.get(), image);
    EXPECT_TRUE(versions.ok()) << versions.status();
    return *versions;
  };
  std::vector<v1::LabelVersion> a = history(accepted);
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(a[1].status(), v1::LABEL_STATUS_ACCEPTED);
  EXPECT_EQ(a[1].source(), v1::LABEL_SOURCE_HUMAN);
  EXPECT_EQ(a[1].revises_label_id(), a[0].label_id());

  std::vector<v1::LabelVersion> b = history(pending);
  ASSERT_EQ(b.size(), 2u);
  EXPECT_EQ(b[1].status(), v1::LABEL_STATUS_PENDING);
  EXPECT_EQ(b[1].source(), v1::LABEL_SOURCE_HUMAN);
  EXPECT_EQ(b[1].revises_label_id(), b[0].label_id());
  EXPECT_EQ(b[1].boxes(0).class_name(), "cat");
  EXPECT_EQ(b[0].status(), v1::LABEL_STATUS_REJECTED);
  EXPECT_THAT(b[0].reject_reason(), HasSubstr("replaced by version 2"));

  std::vector<v1::LabelVersion> c = history(rejected);
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[1].status(), v1::LABEL_STATUS_REJECTED);
  EXPECT_EQ(c[1].reject_reason(), "sloppy");
  EXPECT_EQ(c[1].reviewer(), "rita");

  // Only the accepted image trains; the pending rewrite waits for a reviewer like the original.
  auto examples = store_->LabeledExamples("");
  ASSERT_TRUE(examples.ok());
  ASSERT_EQ(examples->size(), 1u);
  EXPECT_EQ((*examples)[0].image_id, accepted);
  auto free_pending = CountFreePendingLabels(store_.get(), kNow + 10);
  ASSERT_TRUE(free_pending.ok());
  EXPECT_EQ(*free_pending, 1);
}

TEST(TraceClassNameTest, FollowsRenamesMergesAndDeletes) {
  std::vector<v1::ClassChange> changes(4);
  changes[0].set_kind(v1::CLASS_CHANGE_KIND_RENAME);
  changes[0].add_from_names("cat");
  changes[0].set_to_name("feline");
  changes[1].set_kind(v1::CLASS_CHANGE_KIND_MERGE);
  changes[1].add_from_names("feline");
  changes[1].add_from_names("dog");
  changes[1].set_to_name("pet");
  changes[2].set_kind(v1::CLASS_CHANGE_KIND_DELETE);
  changes[2].add_from_names("bird");
  changes[3].set_kind(v1::CLASS_CHANGE_KIND_ADD);
  changes[3].set_to_name("bird");
  EXPECT_EQ(TraceClassName(changes, "cat"), "pet");
  EXPECT_EQ(TraceClassName(changes, "dog"), "pet");
  EXPECT_EQ(TraceClassName(changes, "bird"), "");
  EXPECT_EQ(TraceClassName(changes, "fish"), "fish");
}

}  // namespace
}  // namespace labelloop
