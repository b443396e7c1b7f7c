#include "server/suspect_store.h"

#include "common/sha256.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/common/temp_dir.h"

namespace labelloop {
namespace {

constexpr int64_t kNow = 1'700'000'000'000;

SuspectFinding Missing(float x, float score) {
  SuspectFinding f;
  f.kind = v1::SUSPECT_KIND_MISSING_BOX;
  f.suspicion = score;
  f.reason = "missing";
  f.prediction.set_x1(x), f.prediction.set_y1(0), f.prediction.set_x2(x + 50);
  f.prediction.set_y2(50), f.prediction.set_class_name("cat"), f.prediction.set_score(score);
  return f;
}

class SuspectStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = Store::Open(dir_.path(), StoreOptions{});
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    ASSERT_TRUE(store_->SetClasses({"cat"}).ok());
  }
  // Stores a label version of `image_id` (adding the image first when 0); returns its ids.
  std::pair<int64_t, int64_t> Label(int64_t image_id) {
    if (image_id == 0) {
      NewImage image;
      image.uri = "/x.jpg";
      image.sha256 = Sha256Hex("x");
      image.width = image.height = 100;
      image_id = (*store_->AddImages({image}))[0].image_id;
    }
    const std::string lease = "L" + std::to_string(++leases_);
    EXPECT_TRUE(store_->PutLeases({{image_id, lease, "ann", kNow + 1000}}).ok());
    NewLabel label;
    label.image_id = image_id;
    label.lease_id = lease;
    auto stored = store_->SubmitLabel(label, kNow);
    EXPECT_TRUE(stored.ok()) << stored.status();
    return {image_id, stored->id};
  }
  std::vector<v1::Suspect> Open() {
    auto listed = ListSuspects(store_.get(), v1::ListSuspectLabelsRequest());
    EXPECT_TRUE(listed.ok()) << listed.status();
    return listed.ok() ? *listed : std::vector<v1::Suspect>();
  }

  TempDir dir_;
  std::unique_ptr<Store> store_;
  int leases_ = 0;
};

TEST_F(SuspectStoreTest, RankedReplacedPerScanAndReviewedOnesStayQuiet) {
  auto [image, label] = Label(0);
  ASSERT_TRUE(StoreSuspects(store_.get(), "v1",
                            {{image, label, {Missing(0, 0.6f), Missing(200, 0.9f)}}}, kNow)
                  .ok());
  std::vector<v1::Suspect> open = Open();
  ASSERT_EQ(open.size(), 2u);
  EXPECT_FLOAT_EQ(open[0].suspicion(), 0.9f);  // Ranked.
  EXPECT_EQ(open[0].model_version(), "v1");
  EXPECT_EQ(open[0].label_id(), label);
  EXPECT_EQ(open[0].label_version(), 1);
  EXPECT_EQ(open[0].image_id(), image);
  EXPECT_FLOAT_EQ(open[0].prediction().x1(), 200);
  EXPECT_FALSE(open[0].has_label_box());

  auto reviewed =
      ReviewSuspect(store_.get(), open[0].id(), v1::SUSPECT_STATUS_DISMISSED, "rev", kNow + 1);
  ASSERT_TRUE(reviewed.ok()) << reviewed.status();
  EXPECT_EQ(reviewed->status(), v1::SUSPECT_STATUS_DISMISSED);
  EXPECT_EQ(reviewed->reviewer(), "rev");
  EXPECT_EQ(ReviewSuspect(store_.get(), open[0].id(), v1::SUSPECT_STATUS_OPEN, "rev", kNow)
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ReviewSuspect(store_.get(), 999, v1::SUSPECT_STATUS_FIXED, "rev", kNow).status().code(),
            absl::StatusCode::kNotFound);

  // The next model finds nearly the same missing box again, and a new one: only the new one
  // is raised; the open one of v1 is replaced.
  ASSERT_TRUE(StoreSuspects(store_.get(), "v2",
                            {{image, label, {Missing(204, 0.8f), Missing(400, 0.7f)}}}, kNow)
                  .ok());
  open = Open();
  ASSERT_EQ(open.size(), 1u);
  EXPECT_FLOAT_EQ(open[0].prediction().x1(), 400);
  EXPECT_EQ(open[0].model_version(), "v2");
  v1::ListSuspectLabelsRequest dismissed;
  dismissed.set_status(v1::SUSPECT_STATUS_DISMISSED);
  EXPECT_EQ(ListSuspects(store_.get(), dismissed)->size(), 1u);

  // A new label version makes the old version's suspects disappear from the list, and the
  // dismissed finding may be raised again on the new version.
  auto [same_image, new_label] = Label(image);
  EXPECT_TRUE(Open().empty());
  ASSERT_TRUE(
      StoreSuspects(store_.get(), "v2", {{image, new_label, {Missing(204, 0.8f)}}}, kNow).ok());
  open = Open();
  ASSERT_EQ(open.size(), 1u);
  EXPECT_EQ(open[0].label_version(), 2);

  v1::ListSuspectLabelsRequest too_many;
  too_many.set_limit(10001);
  EXPECT_EQ(ListSuspects(store_.get(), too_many).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace labelloop
