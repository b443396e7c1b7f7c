// Machine labels in a real SQLite store: what StoreMachineLabels refuses to overwrite, what
// trains and what evaluates, and the per-version counts.

#include "common/machine_labels.h"

#include "absl/strings/str_cat.h"
#include "common/label_review.h"
#include "common/sha256.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/common/temp_dir.h"

namespace labelloop {
namespace {

using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;

constexpr int64_t kNow = 1'700'000'000'000;

class MachineLabelsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    StoreOptions options;
    options.validation_share = 0.5;
    absl::StatusOr<std::unique_ptr<Store>> store = Store::Open(dir_.path(), options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    ASSERT_TRUE(store_->SetClasses({"cat", "dog"}).ok());
    cat_ = store_->ClassIds()->at("cat");
  }
  // The next image whose split is `split`.
  int64_t AddImage(const std::string& split) {
    while (true) {
      NewImage image;
      image.uri = absl::StrCat("/images/", next_, ".jpg");
      image.sha256 = Sha256Hex(absl::StrCat("image ", next_++));
      image.width = 100;
      image.height = 100;
      auto added = store_->AddImages({image});
      EXPECT_TRUE(added.ok()) << added.status();
      const int64_t id = (*added)[0].image_id;
      if (store_->GetImage(id, kNow)->split == split) return id;
      EXPECT_TRUE(store_->RemoveImages({id}).ok());
    }
  }
  MachineLabelRow Row(int64_t image_id, bool pending = false) {
    return {image_id, "v3", {{10, 10, 50, 50, cat_}}, pending};
  }

  TempDir dir_;
  std::unique_ptr<Store> store_;
  int64_t cat_ = 0;
  int next_ = 0;
};

TEST_F(MachineLabelsTest, LabelsOnlyUntouchedImagesAndMarksThemMachine) {
  const int64_t free_image = AddImage("train");
  const int64_t sampled = AddImage("train");
  const int64_t leased = AddImage("train");
  const int64_t human = AddImage("train");
  ASSERT_TRUE(store_->PutLeases({{leased, "L1", "ann", kNow + 60'000}}).ok());
  ASSERT_TRUE(store_->PutLeases({{human, "L2", "ann", kNow + 60'000}}).ok());
  NewLabel label;
  label.image_id = human;
  label.lease_id = "L2";
  label.annotator = "ann";
  label.boxes = {{0, 0, 30, 30, cat_}};
  ASSERT_TRUE(store_->SubmitLabel(label, kNow).ok());

  auto stored = StoreMachineLabels(
      store_.get(), {Row(free_image), Row(sampled, true), Row(leased), Row(human)}, kNow);
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_THAT(*stored, ElementsAre(free_image, sampled));

  auto history = LabelHistory(store_.get(), free_image);
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 1u);
  EXPECT_EQ((*history)[0].source(), v1::LABEL_SOURCE_MACHINE);
  EXPECT_EQ((*history)[0].annotator(), "auto:v3");
  EXPECT_EQ((*history)[0].prelabel_model_version(), "v3");
  EXPECT_EQ((*history)[0].status(), v1::LABEL_STATUS_ACCEPTED);
  EXPECT_EQ(store_->GetImage(free_image, kNow)->state, v1::IMAGE_STATE_LABELED);
  EXPECT_EQ((*LabelHistory(store_.get(), sampled))[0].status(), v1::LABEL_STATUS_PENDING);
  EXPECT_EQ(LabelHistory(store_.get(), human)->size(), 1u);  // the person's, untouched

  // The accepted machine label trains; the pending one waits for its reviewer.
  auto train = store_->LabeledExamples("train");
  ASSERT_TRUE(train.ok());
  std::vector<int64_t> trained;
  for (const LabeledExample& e : *train) trained.push_back(e.image_id);
  EXPECT_THAT(trained, UnorderedElementsAre(free_image, human));

  auto counts = CountMachineLabels(store_.get());
  ASSERT_TRUE(counts.ok());
  ASSERT_TRUE(counts->contains("v3"));
  EXPECT_EQ(counts->at("v3").images, 2);
  EXPECT_EQ(counts->at("v3").pending, 1);
  EXPECT_EQ(counts->at("v3").rejected, 0);
}

TEST_F(MachineLabelsTest, AMachineLabelNeverEvaluates) {
  // Auto-labeling never picks validation images; should one get a machine label anyway, it is
  // left out of evaluation instead of grading the model by its own output.
  const int64_t human_val = AddImage("val");
  const int64_t machine_val = AddImage("val");
  ASSERT_TRUE(store_->PutLeases({{human_val, "L", "ann", kNow + 60'000}}).ok());
  NewLabel label;
  label.image_id = human_val;
  label.lease_id = "L";
  label.annotator = "ann";
  label.boxes = {{0, 0, 30, 30, cat_}};
  ASSERT_TRUE(store_->SubmitLabel(label, kNow).ok());
  ASSERT_TRUE(StoreMachineLabels(store_.get(), {Row(machine_val)}, kNow).ok());
  auto val = store_->LabeledExamples("val");
  ASSERT_TRUE(val.ok());
  ASSERT_EQ(val->size(), 1u);
  EXPECT_EQ((*val)[0].image_id, human_val);
}

}  // namespace
}  // namespace labelloop
