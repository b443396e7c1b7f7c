#include "sampler/tta_consistency.h"

#include <vector>

#include "gtest/gtest.h"

namespace labelloop {
namespace {

constexpr double kTol = 1e-6;

ScoredDetection Det(BoxXyxy box, float score, int64_t label = 1,
                    std::vector<float> class_probs = {}) {
  ScoredDetection d;
  d.box = box;
  d.score = score;
  d.label = label;
  d.class_probs = std::move(class_probs);
  return d;
}

TEST(BoxIouTest, ByHand) {
  // Half-overlapping squares: intersection 5x10 = 50, union 100 + 100 - 50 = 150.
  EXPECT_NEAR(BoxIou({0, 0, 10, 10}, {5, 0, 15, 10}), 1.0 / 3, kTol);
  // Contained half: 50 / 100.
  EXPECT_NEAR(BoxIou({0, 0, 10, 10}, {0, 0, 10, 5}), 0.5, kTol);
  EXPECT_NEAR(BoxIou({0, 0, 10, 10}, {0, 0, 10, 10}), 1.0, kTol);
  EXPECT_EQ(BoxIou({0, 0, 10, 10}, {20, 20, 30, 30}), 0.0);
  EXPECT_EQ(BoxIou({0, 0, 0, 0}, {0, 0, 0, 0}), 0.0);  // degenerate: no area, no overlap
}

TEST(ViewMappingTest, UnflipAndUnscale) {
  auto flipped = UnflipHorizontal({Det({10, 20, 30, 40}, 0.9f)}, 100);
  EXPECT_FLOAT_EQ(flipped[0].box.x1, 70);
  EXPECT_FLOAT_EQ(flipped[0].box.x2, 90);
  EXPECT_FLOAT_EQ(flipped[0].box.y1, 20);
  EXPECT_FLOAT_EQ(flipped[0].box.y2, 40);
  auto twice = UnflipHorizontal(flipped, 100);
  EXPECT_FLOAT_EQ(twice[0].box.x1, 10);
  EXPECT_FLOAT_EQ(twice[0].box.x2, 30);

  auto unscaled = Unscale({Det({10, 20, 30, 40}, 0.9f)}, 2.0f, 0.5f);
  EXPECT_FLOAT_EQ(unscaled[0].box.x1, 5);
  EXPECT_FLOAT_EQ(unscaled[0].box.x2, 15);
  EXPECT_FLOAT_EQ(unscaled[0].box.y1, 40);
  EXPECT_FLOAT_EQ(unscaled[0].box.y2, 80);
}

TEST(MatchBoxesGreedyTest, BestIouFirstAndOneToOne) {
  // A overlaps X1 with IoU 90/100 = 0.9 and X2 with 90/110 = 0.818; greedy gives A to X1, and X2
  // (which only overlaps A) stays unmatched. B overlaps nothing above 0.5.
  std::vector<ScoredDetection> original = {Det({0, 0, 10, 10}, 0.9f), Det({50, 50, 60, 60}, 0.9f)};
  std::vector<ScoredDetection> view = {Det({1, 0, 11, 10}, 0.9f), Det({0, 0, 10, 9}, 0.9f),
                                       Det({55, 50, 65, 60}, 0.9f)};
  auto matches = MatchBoxesGreedy(original, view, 0.5);
  ASSERT_EQ(matches.size(), 1u);
  EXPECT_EQ(matches[0].original, 0);
  EXPECT_EQ(matches[0].view, 1);
  EXPECT_NEAR(matches[0].iou, 0.9, kTol);
  // With a lower threshold B matches the third box (IoU 50/150).
  EXPECT_EQ(MatchBoxesGreedy(original, view, 0.3).size(), 2u);
}

TEST(CompareViewsTest, ByHandWithLabelsOnly) {
  // Matched pair: IoU 0.5, weight max(0.8, 0.6) = 0.8, same label -> box 0.5, class 0.
  // Unmatched view detection, weight 0.2 -> box 1, class 1.
  // box = (0.8 * 0.5 + 0.2 * 1) / (0.8 + 0.2) = 0.6; class = 0.2 / 1.0 = 0.2;
  // score = 0.5 * 0.6 + 0.5 * 0.2 = 0.4.
  std::vector<ScoredDetection> original = {Det({0, 0, 10, 10}, 0.8f)};
  std::vector<ScoredDetection> view = {Det({0, 0, 10, 5}, 0.6f), Det({50, 50, 60, 60}, 0.2f)};
  ViewConsistency c = CompareViews(original, view, TtaOptions{});
  EXPECT_EQ(c.matched, 1);
  EXPECT_EQ(c.unmatched_original, 0);
  EXPECT_EQ(c.unmatched_view, 1);
  EXPECT_NEAR(c.box_disagreement, 0.6, kTol);
  EXPECT_NEAR(c.class_disagreement, 0.2, kTol);
  EXPECT_NEAR(c.score, 0.4, kTol);
}

TEST(CompareViewsTest, LabelFlipIsFullClassDisagreement) {
  std::vector<ScoredDetection> original = {Det({0, 0, 10, 10}, 0.8f, 1)};
  std::vector<ScoredDetection> view = {Det({0, 0, 10, 10}, 0.8f, 2)};
  ViewConsistency c = CompareViews(original, view, TtaOptions{});
  EXPECT_NEAR(c.box_disagreement, 0.0, kTol);
  EXPECT_NEAR(c.class_disagreement, 1.0, kTol);
  EXPECT_NEAR(c.score, 0.5, kTol);
}

TEST(CompareViewsTest, ProbabilityDivergenceByHand) {
  // q = [0.5, 0.5] vs [0.9, 0.1], M = [0.7, 0.3]:
  // KL(q1||M) = 0.5 ln(5/7) + 0.5 ln(5/3) = 0.0871769; KL(q2||M) = 0.9 ln(9/7) + 0.1 ln(1/3)
  // = 0.1163221; JS = (0.0871769 + 0.1163221) / 2 = 0.1017495; / ln 2 = 0.1467931.
  std::vector<ScoredDetection> original = {Det({0, 0, 10, 10}, 0.7f, 0, {0.5f})};
  std::vector<ScoredDetection> view = {Det({0, 0, 10, 10}, 0.9f, 0, {0.9f})};
  ViewConsistency c = CompareViews(original, view, TtaOptions{});
  EXPECT_NEAR(c.class_disagreement, 0.1467931, kTol);
  EXPECT_NEAR(c.score, 0.5 * 0.1467931, kTol);
}

TEST(CompareViewsTest, EmptyAndOneSidedViews) {
  TtaOptions options;
  EXPECT_EQ(CompareViews({}, {}, options).score, 0.0);
  std::vector<ScoredDetection> some = {Det({0, 0, 10, 10}, 0.8f)};
  ViewConsistency c = CompareViews(some, {}, options);
  EXPECT_NEAR(c.score, 1.0, kTol);
  EXPECT_EQ(c.unmatched_original, 1);
  // Below min_detection_score a detection is not seen at all.
  std::vector<ScoredDetection> weak = {Det({0, 0, 10, 10}, 0.01f)};
  EXPECT_EQ(CompareViews(weak, {}, options).score, 0.0);
}

TEST(ScoreTtaConsistencyTest, FlipEquivariantModelIsConsistent) {
  // A detector that is exactly flip-equivariant: the flipped view's boxes are the mirror images,
  // which UnflipHorizontal maps back onto the originals. A rescaled view likewise.
  const float width = 200;
  std::vector<ScoredDetection> original = {Det({10, 10, 50, 40}, 0.9f, 1, {0.9f, 0.1f}),
                                           Det({120, 30, 190, 90}, 0.6f, 2, {0.2f, 0.6f})};
  std::vector<ScoredDetection> flipped = original;
  for (auto& d : flipped) d.box = {width - d.box.x2, d.box.y1, width - d.box.x1, d.box.y2};
  std::vector<ScoredDetection> scaled = original;
  for (auto& d : scaled)
    d.box = {d.box.x1 * 1.5f, d.box.y1 * 1.5f, d.box.x2 * 1.5f, d.box.y2 * 1.5f};

  TtaConsistency c = ScoreTtaConsistency(
      original, {UnflipHorizontal(flipped, width), Unscale(scaled, 1.5f, 1.5f)}, TtaOptions{});
  ASSERT_EQ(c.views.size(), 2u);
  EXPECT_NEAR(c.score, 0.0, kTol);
  EXPECT_EQ(c.views[0].matched, 2);
  EXPECT_EQ(c.views[1].matched, 2);
}

TEST(ScoreTtaConsistencyTest, MeanOverViews) {
  std::vector<ScoredDetection> original = {Det({0, 0, 10, 10}, 0.8f)};
  // View 1 agrees (0), view 2 sees nothing (1): mean 0.5.
  TtaConsistency c = ScoreTtaConsistency(original, {original, {}}, TtaOptions{});
  EXPECT_NEAR(c.score, 0.5, kTol);
  EXPECT_NEAR(c.box_disagreement, 0.5, kTol);
  EXPECT_EQ(ScoreTtaConsistency(original, {}, TtaOptions{}).score, 0.0);
}

}  // namespace
}  // namespace labelloop
