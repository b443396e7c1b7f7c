#include "server/suspect_finder.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace labelloop {
namespace {

using ::testing::HasSubstr;

v1::Box B(float x1, float y1, float x2, float y2, const std::string& name, float score = 0) {
  v1::Box box;
  box.set_x1(x1), box.set_y1(y1), box.set_x2(x2), box.set_y2(y2);
  box.set_class_name(name);
  box.set_score(score);
  return box;
}

v1::SuspectConfig Defaults() { return v1::SuspectConfig(); }

TEST(SuspectFinderTest, AgreeingLabelHasNoSuspects) {
  std::vector<v1::Box> labels = {B(0, 0, 100, 100, "cat"), B(200, 200, 300, 300, "dog")};
  std::vector<v1::Box> preds = {B(2, 1, 101, 99, "cat", 0.9f), B(205, 198, 300, 302, "dog", 0.8f),
                                // A duplicate of the cat, as NMS sometimes leaves.
                                B(0, 5, 95, 100, "cat", 0.6f)};
  EXPECT_TRUE(FindSuspects(labels, preds, Defaults()).empty());
}

TEST(SuspectFinderTest, ConfidentPredictionWithoutBoxIsAMissingBox) {
  std::vector<v1::Box> labels = {B(0, 0, 100, 100, "cat")};
  std::vector<v1::Box> preds = {B(0, 0, 100, 100, "cat", 0.9f), B(300, 300, 400, 380, "dog", 0.7f),
                                // Not confident: ignored.
                                B(500, 10, 560, 60, "dog", 0.3f)};
  std::vector<SuspectFinding> found = FindSuspects(labels, preds, Defaults());
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].kind, v1::SUSPECT_KIND_MISSING_BOX);
  EXPECT_EQ(found[0].label_box_index, -1);
  EXPECT_FLOAT_EQ(found[0].suspicion, 0.7f);
  EXPECT_EQ(found[0].prediction.class_name(), "dog");
  EXPECT_THAT(found[0].reason, HasSubstr("dog (score 0.70)"));
}

TEST(SuspectFinderTest, OverlappingPredictionOfAnotherClassIsAMismatch) {
  std::vector<v1::Box> labels = {B(0, 0, 100, 100, "cat")};
  std::vector<v1::Box> preds = {B(3, 0, 100, 97, "dog", 0.85f)};
  std::vector<SuspectFinding> found = FindSuspects(labels, preds, Defaults());
  ASSERT_EQ(found.size(), 1u);  // Not also "spurious": the mismatch claims the box.
  EXPECT_EQ(found[0].kind, v1::SUSPECT_KIND_CLASS_MISMATCH);
  EXPECT_EQ(found[0].label_box_index, 0);
  EXPECT_EQ(found[0].label_box.class_name(), "cat");
  EXPECT_GT(found[0].iou, 0.9f);
  EXPECT_THAT(found[0].reason, HasSubstr("labeled cat, the model says dog"));
}

TEST(SuspectFinderTest, LooseSameClassMatchIsAPoorFitRankedByHowLoose) {
  std::vector<v1::Box> labels = {B(0, 0, 100, 100, "cat"), B(300, 0, 400, 100, "cat")};
  // IoU 0.5 (poorer) and 0.55 with the two boxes, both under fit_iou 0.6, over match_iou 0.3.
  std::vector<v1::Box> preds = {B(0, 0, 100, 50, "cat", 0.9f), B(300, 0, 400, 55, "cat", 0.9f)};
  std::vector<SuspectFinding> found = FindSuspects(labels, preds, Defaults());
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].kind, v1::SUSPECT_KIND_POOR_FIT);
  EXPECT_EQ(found[0].label_box_index, 0);
  EXPECT_NEAR(found[0].iou, 0.5f, 1e-5);
  EXPECT_NEAR(found[0].suspicion, 0.9f * (1 - 0.5f / 0.6f), 1e-5);
  EXPECT_EQ(found[1].label_box_index, 1);
  EXPECT_LT(found[1].suspicion, found[0].suspicion);
}

TEST(SuspectFinderTest, UnsupportedBoxIsSpuriousWhenTheModelSeesOtherThings) {
  std::vector<v1::Box> labels = {B(0, 0, 100, 100, "cat"), B(200, 200, 260, 260, "cat")};
  std::vector<v1::Box> preds = {B(0, 0, 100, 100, "cat", 0.8f),
                                // Weak same-class overlap below match_iou: no support.
                                B(240, 240, 330, 330, "cat", 0.2f)};
  std::vector<SuspectFinding> found = FindSuspects(labels, preds, Defaults());
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].kind, v1::SUSPECT_KIND_SPURIOUS_BOX);
  EXPECT_EQ(found[0].label_box_index, 1);
  EXPECT_NEAR(found[0].suspicion, 0.8f * (1 - 0.2f), 1e-5);
  EXPECT_FLOAT_EQ(found[0].prediction.score(), 0.2f);

  // A model that predicts nothing in the image is no witness.
  EXPECT_TRUE(FindSuspects(labels, {}, Defaults()).empty());
  // Support at match_iou by a low but sufficient score clears it.
  preds.push_back(B(200, 200, 255, 262, "cat", 0.15f));
  EXPECT_TRUE(FindSuspects(labels, preds, Defaults()).empty());
}

TEST(SuspectFinderTest, ThresholdsComeFromTheConfigAndMaxPerImageCaps) {
  const float scores[] = {0.4f, 0.5f, 0.6f, 0.7f, 0.8f};
  std::vector<v1::Box> preds;
  for (int i = 0; i < 5; ++i)
    preds.push_back(B(i * 100.f, 0, i * 100.f + 50, 50, "cat", scores[i]));
  EXPECT_EQ(FindSuspects({}, preds, Defaults()).size(), 4u);  // 0.5 and up
  v1::SuspectConfig config;
  config.set_min_score(0.65f);
  config.set_max_per_image(1);
  std::vector<SuspectFinding> found = FindSuspects({}, preds, config);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_FLOAT_EQ(found[0].suspicion, 0.8f);
}

TEST(SuspectFinderTest, SameFindingMatchesAcrossModels) {
  SuspectFinding missing;
  missing.kind = v1::SUSPECT_KIND_MISSING_BOX;
  missing.prediction = B(0, 0, 100, 100, "dog", 0.9f);
  v1::Suspect reviewed;
  reviewed.set_kind(v1::SUSPECT_KIND_MISSING_BOX);
  reviewed.set_label_box_index(-1);
  *reviewed.mutable_prediction() = B(5, 5, 100, 105, "dog", 0.7f);
  EXPECT_TRUE(SameFinding(missing, reviewed));
  *reviewed.mutable_prediction() = B(60, 60, 160, 160, "dog", 0.7f);
  EXPECT_FALSE(SameFinding(missing, reviewed));

  SuspectFinding spurious;
  spurious.kind = v1::SUSPECT_KIND_SPURIOUS_BOX;
  spurious.label_box_index = 2;
  reviewed.set_kind(v1::SUSPECT_KIND_SPURIOUS_BOX);
  reviewed.set_label_box_index(2);
  EXPECT_TRUE(SameFinding(spurious, reviewed));
  reviewed.set_label_box_index(1);
  EXPECT_FALSE(SameFinding(spurious, reviewed));
}

}  // namespace
}  // namespace labelloop
