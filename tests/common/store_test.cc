#include "common/store.h"

#include "common/sha256.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/common/temp_dir.h"

namespace labelloop {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr int64_t kNow = 1'700'000'000'000;

NewImage MakeImage(const std::string& content) {
  NewImage image;
  image.uri = "/images/" + content + ".jpg";
  image.sha256 = Sha256Hex(content);
  image.size_bytes = static_cast<int64_t>(content.size());
  image.width = 640;
  image.height = 480;
  return image;
}

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }
  void Reopen() {
    store_.reset();
    absl::StatusOr<std::unique_ptr<Store>> store = Store::Open(dir_.path(), StoreOptions{});
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
  }
  std::vector<int64_t> AddImages(std::vector<std::string> contents) {
    std::vector<NewImage> images;
    for (const std::string& c : contents) images.push_back(MakeImage(c));
    auto results = store_->AddImages(images);
    EXPECT_TRUE(results.ok()) << results.status();
    std::vector<int64_t> ids;
    for (const AddImageResult& r : *results) ids.push_back(r.image_id);
    return ids;
  }
  NewLabel LabelFor(int64_t image_id, const std::string& lease_id) {
    NewLabel label;
    label.image_id = image_id;
    label.lease_id = lease_id;
    label.annotator = "ann";
    auto ids = store_->ClassIds();
    label.boxes.push_back({1, 2, 30, 40, ids->at("cat")});
    return label;
  }

  TempDir dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(StoreTest, DuplicateBytesAreStoredOnce) {
  std::vector<NewImage> images = {MakeImage("a"), MakeImage("b"), MakeImage("a")};
  auto results = store_->AddImages(images);
  ASSERT_TRUE(results.ok());
  EXPECT_FALSE((*results)[0].duplicate);
  EXPECT_FALSE((*results)[1].duplicate);
  EXPECT_TRUE((*results)[2].duplicate);
  EXPECT_EQ((*results)[2].image_id, (*results)[0].image_id);
  auto again = store_->AddImages({MakeImage("b")});
  EXPECT_TRUE((*again)[0].duplicate);
  EXPECT_EQ(store_->ListImages(v1::IMAGE_STATE_UNSPECIFIED, 0, 100, kNow)->size(), 2u);
}

TEST_F(StoreTest, ListPagesByIdAndFiltersByState) {
  std::vector<int64_t> ids = AddImages({"a", "b", "c", "d"});
  auto page = store_->ListImages(v1::IMAGE_STATE_UNSPECIFIED, ids[1], 10, kNow);
  ASSERT_EQ(page->size(), 2u);
  EXPECT_EQ((*page)[0].id, ids[2]);

  ASSERT_TRUE(store_->PutLeases({{ids[0], "L0", "ann", kNow + 1000}}).ok());
  ASSERT_TRUE(store_->PutLeases({{ids[3], "L3", "ann", kNow - 1}}).ok());  // Already expired.
  auto leased = store_->ListImages(v1::IMAGE_STATE_LEASED, 0, 10, kNow);
  ASSERT_EQ(leased->size(), 1u);
  EXPECT_EQ((*leased)[0].id, ids[0]);
  EXPECT_EQ((*leased)[0].state, v1::IMAGE_STATE_LEASED);
  auto unlabeled = store_->ListImages(v1::IMAGE_STATE_UNLABELED, 0, 10, kNow);
  EXPECT_EQ(unlabeled->size(), 3u);
}

TEST_F(StoreTest, SplitIsFixedPerImage) {
  std::vector<std::string> contents;
  for (int i = 0; i < 200; ++i) contents.push_back("img" + std::to_string(i));
  AddImages(contents);
  auto images = store_->ListImages(v1::IMAGE_STATE_UNSPECIFIED, 0, 1000, kNow);
  int val = 0;
  for (const StoredImage& image : *images) val += image.split == "val";
  // 20% expected; a hash split is binomial: 40 +- 3 sigma (17).
  EXPECT_GT(val, 23);
  EXPECT_LT(val, 57);
  Reopen();
  auto again = store_->ListImages(v1::IMAGE_STATE_UNSPECIFIED, 0, 1000, kNow);
  for (size_t i = 0; i < images->size(); ++i) EXPECT_EQ((*images)[i].split, (*again)[i].split);
}

TEST_F(StoreTest, ClassesCannotBeDroppedWhileUsed) {
  ASSERT_TRUE(store_->SetClasses({"cat", "dog", "bird"}).ok());
  std::vector<int64_t> ids = AddImages({"a"});
  ASSERT_TRUE(store_->PutLeases({{ids[0], "L", "ann", kNow + 1000}}).ok());
  ASSERT_TRUE(store_->SubmitLabel(LabelFor(ids[0], "L"), kNow).ok());
  absl::Status status = store_->SetClasses({"dog"});
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(status.message(), HasSubstr("\"cat\""));
  ASSERT_TRUE(store_->SetClasses({"cat", "fish"}).ok());
  auto classes = store_->ListClasses();
  std::vector<std::string> names;
  for (const auto& c : *classes) names.push_back(c.name());
  EXPECT_THAT(names, ElementsAre("cat", "fish"));
  EXPECT_EQ((*classes)[0].box_count(), 1);
}

TEST_F(StoreTest, SubmitNeedsTheStoredLeaseAndConsumesIt) {
  ASSERT_TRUE(store_->SetClasses({"cat"}).ok());
  std::vector<int64_t> ids = AddImages({"a"});
  ASSERT_TRUE(store_->PutLeases({{ids[0], "L", "ann", kNow + 1000}}).ok());
  EXPECT_EQ(store_->SubmitLabel(LabelFor(ids[0], "other"), kNow).status().code(),
            absl::StatusCode::kFailedPrecondition);
  auto stored = store_->SubmitLabel(LabelFor(ids[0], "L"), kNow);
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(stored->version, 1);
  // The lease is consumed: a second submission is refused and the first label stays.
  EXPECT_EQ(store_->SubmitLabel(LabelFor(ids[0], "L"), kNow).status().code(),
            absl::StatusCode::kFailedPrecondition);
  Reopen();
  auto label = store_->LatestLabel(ids[0]);
  ASSERT_TRUE(label.ok() && label->has_value());
  EXPECT_EQ((*label)->version(), 1);
  ASSERT_EQ((*label)->boxes_size(), 1);
  EXPECT_EQ((*label)->boxes(0).class_name(), "cat");
  EXPECT_FLOAT_EQ((*label)->boxes(0).x2(), 30);
  EXPECT_EQ(store_->GetImage(ids[0], kNow)->state, v1::IMAGE_STATE_LABELED);
  EXPECT_TRUE(store_->LoadLeases()->empty());
}

TEST_F(StoreTest, SkipMovesImageToSkippedAndConsumesLease) {
  std::vector<int64_t> ids = AddImages({"a"});
  ASSERT_TRUE(store_->PutLeases({{ids[0], "L", "ann", kNow + 1000}}).ok());
  ASSERT_TRUE(store_->SkipImage(ids[0], "L", kNow).ok());
  auto image = store_->GetImage(ids[0], kNow);
  EXPECT_EQ(image->state, v1::IMAGE_STATE_SKIPPED);
  EXPECT_EQ(image->skipped_ms, kNow);
  EXPECT_EQ(store_->QueueCandidates()->size(), 1u);
}

TEST_F(StoreTest, RemoveCascadesAndReportsUnknownIds) {
  ASSERT_TRUE(store_->SetClasses({"cat"}).ok());
  std::vector<int64_t> ids = AddImages({"a", "b"});
  ASSERT_TRUE(store_->PutLeases({{ids[0], "L", "ann", kNow + 1000}}).ok());
  ASSERT_TRUE(store_->SubmitLabel(LabelFor(ids[0], "L"), kNow).ok());
  auto removed = store_->RemoveImages({ids[0], 999});
  ASSERT_TRUE(removed.ok()) << removed.status();
  EXPECT_THAT(removed->removed, ElementsAre(ids[0]));
  EXPECT_THAT(removed->not_found, ElementsAre(999));
  EXPECT_EQ(store_->GetImage(ids[0], kNow).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ((*store_->ListClasses())[0].box_count(), 0);
}

TEST_F(StoreTest, LabeledExamplesHoldTheLatestVersionWithItsBoxes) {
  ASSERT_TRUE(store_->SetClasses({"cat"}).ok());
  std::vector<int64_t> ids = AddImages({"a", "b", "c"});
  ASSERT_TRUE(store_->PutLeases({{ids[0], "L0", "ann", kNow + 1000}}).ok());
  NewLabel two_boxes = LabelFor(ids[0], "L0");
  two_boxes.boxes.push_back({5, 6, 7, 8, two_boxes.boxes[0].class_id});
  ASSERT_TRUE(store_->SubmitLabel(two_boxes, kNow).ok());
  ASSERT_TRUE(store_->PutLeases({{ids[1], "L1", "ann", kNow + 1000}}).ok());
  NewLabel empty = LabelFor(ids[1], "L1");
  empty.boxes.clear();
  ASSERT_TRUE(store_->SubmitLabel(empty, kNow).ok());
  auto examples = store_->LabeledExamples("");
  ASSERT_TRUE(examples.ok()) << examples.status();
  ASSERT_EQ(examples->size(), 2u);
  EXPECT_EQ((*examples)[0].image_id, ids[0]);
  ASSERT_EQ((*examples)[0].boxes.size(), 2u);
  EXPECT_FLOAT_EQ((*examples)[0].boxes[1].x2, 7);
  EXPECT_TRUE((*examples)[1].boxes.empty());  // "No objects" is a label too.
  EXPECT_EQ(*store_->CountLabels(), 2);
  size_t by_split = store_->LabeledExamples("train")->size() + store_->LabeledExamples("val")->size();
  EXPECT_EQ(by_split, 2u);
}

TEST_F(StoreTest, TransactRollsBackOnError) {
  ASSERT_TRUE(store_->Transact([](SqliteDb* db) { return db->Exec("CREATE TABLE t(x)"); }).ok());
  absl::Status status = store_->Transact([](SqliteDb* db) {
    absl::Status s = db->Exec("INSERT INTO t VALUES(1)");
    if (!s.ok()) return s;
    return absl::InternalError("changed my mind");
  });
  EXPECT_EQ(status.code(), absl::StatusCode::kInternal);
  int64_t rows = -1;
  ASSERT_TRUE(store_->Read([&](SqliteDb* db) {
    auto q = db->Prepare("SELECT COUNT(*) FROM t");
    if (!q.ok()) return q.status();
    absl::StatusOr<bool> row = q->Step();
    rows = q->ColumnInt(0);
    return row.status();
  }).ok());
  EXPECT_EQ(rows, 0);
}

// Group-commit operations run in savepoints whose undo pages are kept in memory (temp_store =
// MEMORY on the write connection), not spilled to a temporary file past 64 KB: an operation that
// changes ~1 MB of pages still rolls back alone, and the writes around it land.
TEST_F(StoreTest, LargeOperationRollsBackAloneWithItsUndoInMemory) {
  auto fill = [](SqliteDb* db) {
    absl::Status s = db->Exec("CREATE TABLE t(x BLOB)");
    if (!s.ok()) return s;
    return db->Exec(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 400)"
        " INSERT INTO t SELECT zeroblob(2000) FROM n");
  };
  ASSERT_TRUE(store_->Transact(fill).ok());
  int64_t temp_store = -1;
  auto rewrite_then_fail = [&](SqliteDb* db) {
    auto q = db->Prepare("PRAGMA temp_store");
    if (!q.ok()) return q.status();
    absl::StatusOr<bool> row = q->Step();
    temp_store = q->ColumnInt(0);
    absl::Status s = db->Exec("UPDATE t SET x = randomblob(2000)");
    if (!s.ok()) return s;
    return absl::InternalError("changed my mind");
  };
  absl::Status status = store_->Transact(rewrite_then_fail);
  EXPECT_EQ(status.code(), absl::StatusCode::kInternal);
  EXPECT_EQ(temp_store, 2);  // MEMORY.
  auto add_one = [](SqliteDb* db) { return db->Exec("INSERT INTO t VALUES(x'01')"); };
  ASSERT_TRUE(store_->Transact(add_one).ok());
  int64_t zero_rows = -1;
  int64_t rows = -1;
  auto count = [&](SqliteDb* db) {
    auto q = db->Prepare("SELECT SUM(x = zeroblob(2000)), COUNT(*) FROM t");
    if (!q.ok()) return q.status();
    absl::StatusOr<bool> row = q->Step();
    zero_rows = q->ColumnInt(0);
    rows = q->ColumnInt(1);
    return row.status();
  };
  ASSERT_TRUE(store_->Read(count).ok());
  EXPECT_EQ(zero_rows, 400);
  EXPECT_EQ(rows, 401);
}

TEST_F(StoreTest, SecondOpenOfTheSameFolderIsRefused) {
  absl::Status status = Store::Open(dir_.path(), StoreOptions{}).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(status.message(), HasSubstr("in use"));
}

TEST_F(StoreTest, DatabaseIsInWalMode) {
  store_.reset();
  auto db = SqliteDb::Open(dir_.path() + "/labelloop.db", 1000);
  auto mode = (*db)->Prepare("PRAGMA journal_mode");
  ASSERT_TRUE(*mode->Step());
  EXPECT_EQ(mode->ColumnText(0), "wal");
}

}  // namespace
}  // namespace labelloop
