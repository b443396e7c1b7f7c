#include "sampler/batch_selection.h"

#include <algorithm>
#include <random>
#include <set>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace labelloop {
namespace {

using ::testing::ElementsAre;

std::vector<int> Indices(const BatchSelection& s) {
  std::vector<int> out;
  for (const auto& item : s.items) out.push_back(item.index);
  return out;
}

int CountReason(const BatchSelection& s, PickReason reason) {
  return static_cast<int>(std::count_if(
      s.items.begin(), s.items.end(), [&](const SelectedImage& i) { return i.reason == reason; }));
}

// `n` points in the unit square with uncertainties spread over [0, 1].
PoolScores UniformPool(int n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(0, 1);
  PoolScores pool;
  for (int i = 0; i < n; ++i) {
    pool.uncertainty.push_back(u(rng));
    pool.embeddings.push_back({u(rng), u(rng)});
  }
  return pool;
}

// Two tight clusters: A (indices 0..9, around (0,0)) slightly more uncertain than B (10..19,
// around (1,1)). Uncertainty alone takes A only.
PoolScores TwoClusters() {
  PoolScores pool;
  for (int i = 0; i < 20; ++i) {
    const bool a = i < 10;
    const float jitter = 0.01f * static_cast<float>(i % 10);
    pool.embeddings.push_back({(a ? 0.0f : 1.0f) + jitter, (a ? 0.0f : 1.0f) - jitter});
    pool.uncertainty.push_back((a ? 0.9 : 0.8) - 0.001 * (i % 10));
  }
  return pool;
}

BatchSelectionOptions Options(SamplingStrategy strategy, double random_share = 0.0) {
  BatchSelectionOptions options;
  options.strategy = strategy;
  options.random_share = random_share;
  return options;
}

void ExpectValid(const BatchSelection& s, size_t size) {
  EXPECT_EQ(s.items.size(), size);
  std::set<int> unique;
  for (const auto& item : s.items) {
    EXPECT_TRUE(unique.insert(item.index).second) << "duplicate " << item.index;
    EXPECT_GE(item.diversity, 0.0);
    EXPECT_LE(item.diversity, 1.0);
    EXPECT_GE(item.uncertainty, 0.0);
    EXPECT_LE(item.uncertainty, 1.0);
  }
}

TEST(SelectBatchTest, RandomIsSeededUniformAndNeedsNoScores) {
  PoolScores pool;
  pool.predicted_classes.resize(100);  // only the pool size is known
  auto a = SelectBatch(pool, {}, 10, Options(SamplingStrategy::kRandom), 1);
  auto b = SelectBatch(pool, {}, 10, Options(SamplingStrategy::kRandom), 1);
  auto c = SelectBatch(pool, {}, 10, Options(SamplingStrategy::kRandom), 2);
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  ExpectValid(*a, 10);
  EXPECT_EQ(Indices(*a), Indices(*b));
  EXPECT_NE(Indices(*a), Indices(*c));
  EXPECT_EQ(CountReason(*a, PickReason::kRandom), 10);
  EXPECT_EQ(a->strategy, SamplingStrategy::kRandom);

  // Uniform: over many seeds every image is drawn about 10% of the time.
  std::vector<int> hits(100);
  for (uint64_t seed = 0; seed < 2000; ++seed) {
    for (int i : Indices(*SelectBatch(pool, {}, 10, Options(SamplingStrategy::kRandom), seed))) {
      ++hits[i];
    }
  }
  for (int h : hits) {
    EXPECT_GT(h, 120);  // expectation 200, sd ~13
    EXPECT_LT(h, 280);
  }
}

TEST(SelectBatchTest, UncertaintyStrategiesTakeTheTopInOrder) {
  PoolScores pool;
  pool.uncertainty = {0.1, 0.9, 0.5, 0.9, 0.7};
  for (auto strategy : {SamplingStrategy::kEntropy, SamplingStrategy::kLeastConfidence,
                        SamplingStrategy::kMargin, SamplingStrategy::kTta}) {
    auto s = SelectBatch(pool, {}, 3, Options(strategy, /*random_share=*/0.5), 9);
    ASSERT_TRUE(s.ok());
    // Ties (0.9, 0.9) to the lower index; no random share for the pure strategies.
    EXPECT_THAT(Indices(*s), ElementsAre(1, 3, 4));
    EXPECT_EQ(CountReason(*s, PickReason::kUncertainty), 3);
    EXPECT_DOUBLE_EQ(s->items[2].uncertainty, 0.7);
    EXPECT_EQ(s->items[0].diversity, 0.0);  // no embeddings given
  }
}

TEST(SelectBatchTest, HybridSizeNoDuplicatesAndRandomShare) {
  PoolScores pool = UniformPool(200, 3);
  auto s = SelectBatch(pool, {}, 20, Options(SamplingStrategy::kHybrid, 0.1), 5);
  ASSERT_TRUE(s.ok());
  ExpectValid(*s, 20);
  // round(0.1 * 20) = 2 random picks, at slots floor(0.5 * 10) = 5 and floor(1.5 * 10) = 15.
  EXPECT_EQ(CountReason(*s, PickReason::kRandom), 2);
  EXPECT_EQ(CountReason(*s, PickReason::kDiversity), 18);
  EXPECT_EQ(s->items[5].reason, PickReason::kRandom);
  EXPECT_EQ(s->items[15].reason, PickReason::kRandom);

  // Diversity picks all come from the candidate set: the top 5 x 18 = 90 by uncertainty.
  std::vector<double> sorted = pool.uncertainty;
  std::sort(sorted.rbegin(), sorted.rend());
  const double cutoff = sorted[89];
  for (const auto& item : s->items) {
    if (item.reason == PickReason::kDiversity) {
      EXPECT_GE(item.uncertainty, cutoff);
    }
  }
  // k-center pick distances never grow.
  double previous = 1.0;
  for (const auto& item : s->items) {
    if (item.reason != PickReason::kDiversity) continue;
    EXPECT_LE(item.diversity, previous + 1e-12);
    previous = item.diversity;
  }

  // Random picks come from the whole pool: across seeds some fall outside the candidate set.
  int outside = 0;
  for (uint64_t seed = 0; seed < 50; ++seed) {
    auto r = SelectBatch(pool, {}, 20, Options(SamplingStrategy::kHybrid, 0.1), seed);
    for (const auto& item : r->items) {
      if (item.reason == PickReason::kRandom && item.uncertainty < cutoff) ++outside;
    }
  }
  EXPECT_GT(outside, 20);  // expectation 55% of 100
}

TEST(SelectBatchTest, HybridRandomShareRounding) {
  PoolScores pool = UniformPool(100, 4);
  for (auto [share, batch, expected] : std::vector<std::tuple<double, int, int>>{
           {0.1, 32, 3}, {0.1, 4, 0}, {0.25, 10, 3}, {1.0, 8, 8}, {0.0, 8, 0}}) {
    auto s = SelectBatch(pool, {}, batch, Options(SamplingStrategy::kHybrid, share), 1);
    ASSERT_TRUE(s.ok());
    ExpectValid(*s, batch);
    EXPECT_EQ(CountReason(*s, PickReason::kRandom), expected) << share << " x " << batch;
  }
}

TEST(SelectBatchTest, HybridSpreadsOverClustersWhereUncertaintyDoesNot) {
  PoolScores pool = TwoClusters();
  auto by_entropy = SelectBatch(pool, {}, 4, Options(SamplingStrategy::kEntropy), 1);
  auto hybrid = SelectBatch(pool, {}, 4, Options(SamplingStrategy::kHybrid), 1);
  ASSERT_TRUE(by_entropy.ok() && hybrid.ok());
  auto in_a = [](int i) { return i < 10; };
  const std::vector<int> top = Indices(*by_entropy);
  EXPECT_EQ(std::count_if(top.begin(), top.end(), in_a), 4);
  const std::vector<int> picks = Indices(*hybrid);
  const auto a_count = std::count_if(picks.begin(), picks.end(), in_a);
  EXPECT_GE(a_count, 1);
  EXPECT_LE(a_count, 3);
  // Nothing labeled: the first pick is the most uncertain image, then the far cluster.
  EXPECT_EQ(picks[0], 0);
  EXPECT_GE(picks[1], 10);
  EXPECT_EQ(hybrid->items[0].diversity, 1.0);
  // The second pick's diversity: its distance to the first pick over the scale (2).
  EXPECT_NEAR(hybrid->items[1].diversity, std::sqrt(0.99 * 0.99 + 1.01 * 1.01) / 2, 0.02);
}

TEST(SelectBatchTest, HybridStartsFromTheLabeledImages) {
  PoolScores pool = TwoClusters();
  LabeledSet labeled;
  labeled.embeddings = {{0.0f, 0.0f}};  // cluster A is already covered
  BatchSelectionOptions options = Options(SamplingStrategy::kHybrid);
  options.candidate_factor = 20;  // both clusters are candidates
  auto s = SelectBatch(pool, labeled, 1, options, 1);
  ASSERT_TRUE(s.ok());
  EXPECT_GE(s->items[0].index, 10);
  // With the default factor the candidates are A's 5 most uncertain: the pick stays in A, at
  // its point farthest from the labeled one.
  auto narrow = SelectBatch(pool, labeled, 1, Options(SamplingStrategy::kHybrid), 1);
  ASSERT_TRUE(narrow.ok());
  EXPECT_EQ(narrow->items[0].index, 4);
}

TEST(SelectBatchTest, RareClassBoost) {
  PoolScores pool;
  pool.uncertainty = {0.5, 0.45};
  pool.embeddings = {{0.0f}, {1.0f}};
  pool.predicted_classes = {{1}, {2}};
  LabeledSet labeled;
  labeled.class_counts = {{1, 10}, {3, 5}};  // class 2 never labeled: rarity 1; class 1: 0
  BatchSelectionOptions options = Options(SamplingStrategy::kHybrid);
  options.candidate_factor = 1;
  auto off = SelectBatch(pool, labeled, 1, options, 1);
  options.rare_class_boost = 1.0;  // key 0.45 * (1 + 1) = 0.9 > 0.5
  auto on = SelectBatch(pool, labeled, 1, options, 1);
  ASSERT_TRUE(off.ok() && on.ok());
  EXPECT_EQ(off->items[0].index, 0);
  EXPECT_EQ(on->items[0].index, 1);
  EXPECT_DOUBLE_EQ(on->items[0].uncertainty, 0.45);  // reported unboosted
  EXPECT_DOUBLE_EQ(on->items[0].rarity, 1.0);
}

TEST(SelectBatchTest, RarityWeighsPredictedClassesByConfidence) {
  // Both images are predicted to hold the never-labeled class 2; image 1 only at 0.35 (a weak
  // model's guess), image 0 at 0.9. Image 1 is more uncertain.
  PoolScores pool;
  pool.uncertainty = {0.5, 0.6};
  pool.embeddings = {{0.0f}, {1.0f}};
  pool.predicted_classes = {{1, 2}, {2}};
  pool.predicted_class_scores = {{0.95, 0.9}, {0.35}};
  LabeledSet labeled;
  labeled.class_counts = {{1, 10}};
  BatchSelectionOptions options = Options(SamplingStrategy::kHybrid);
  options.candidate_factor = 1;
  options.rare_class_boost = 1.0;  // keys 0.5 x 1.9 = 0.95 and 0.6 x 1.35 = 0.81
  auto s = SelectBatch(pool, labeled, 1, options, 1);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->items[0].index, 0);
  EXPECT_DOUBLE_EQ(s->items[0].rarity, 0.9);
  // Counted as certain (no scores), both are rarity 1 and the more uncertain one wins.
  pool.predicted_class_scores.clear();
  auto hard = SelectBatch(pool, labeled, 1, options, 1);
  ASSERT_TRUE(hard.ok());
  EXPECT_EQ(hard->items[0].index, 1);
}

TEST(SelectBatchTest, BoostedKCenterCountsTheBatchsOwnPicks) {
  // Three candidates equally far from the labeled image and from each other; 0 and 1 are
  // predicted to hold the rare class 2 at 0.9, 2 the rare class 3 at 0.85. The first pick is 0;
  // then class 2 has 0.9 of a box against class 1's 10, so 1's rarity drops to 0.9 x 0.91 =
  // 0.819 and 2 (0.85) comes next. Without counting the batch, 1 (0.9) would.
  PoolScores pool;
  pool.uncertainty = {0.5, 0.5, 0.5};
  pool.embeddings = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
  pool.predicted_classes = {{2}, {2}, {3}};
  pool.predicted_class_scores = {{0.9}, {0.9}, {0.85}};
  LabeledSet labeled;
  labeled.embeddings = {{0, 0, 0}};
  labeled.class_counts = {{1, 10}};
  BatchSelectionOptions options = Options(SamplingStrategy::kHybrid);
  options.candidate_factor = 3;
  options.rare_class_boost = 5.0;
  auto s = SelectBatch(pool, labeled, 2, options, 1);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_THAT(Indices(*s), ElementsAre(0, 2));
  // Reported rarity is against the labels alone.
  EXPECT_DOUBLE_EQ(s->items[1].rarity, 0.85);
  // Off: plain k-center, ties to the lowest position.
  options.rare_class_boost = 0.0;
  auto plain = SelectBatch(pool, labeled, 2, options, 1);
  ASSERT_TRUE(plain.ok());
  EXPECT_THAT(Indices(*plain), ElementsAre(0, 1));
}

TEST(SelectBatchTest, BoxCostRanksCandidatesByValuePerBox) {
  // Image 0 is a little more uncertain but expected to hold 3 boxes, image 1 one:
  // keys 0.6 / 4 = 0.15 and 0.5 / 2 = 0.25.
  PoolScores pool;
  pool.uncertainty = {0.6, 0.5};
  pool.embeddings = {{0.0f}, {1.0f}};
  pool.expected_boxes = {3.0, 1.0};
  BatchSelectionOptions options = Options(SamplingStrategy::kHybrid);
  options.candidate_factor = 1;
  auto off = SelectBatch(pool, {}, 1, options, 1);
  options.box_cost = 1.0;
  auto on = SelectBatch(pool, {}, 1, options, 1);
  ASSERT_TRUE(off.ok() && on.ok()) << on.status();
  EXPECT_EQ(off->items[0].index, 0);
  EXPECT_EQ(on->items[0].index, 1);
  // A softer exponent weighs boxes less: 0.6 / 4^0.1 = 0.52 > 0.5 / 2^0.1 = 0.47.
  options.box_cost = 0.1;
  auto soft = SelectBatch(pool, {}, 1, options, 1);
  ASSERT_TRUE(soft.ok());
  EXPECT_EQ(soft->items[0].index, 0);
}

TEST(SelectBatchTest, BoxCostWeighsInKCenter) {
  // Both candidates are in the candidate set; 0 lies twice as far from the labeled image as 1
  // but is expected to hold 4 boxes against 1's 0.5: weights 2 / 5 = 0.4 against 1 / 1.5 = 0.67.
  PoolScores pool;
  pool.uncertainty = {0.5, 0.5};
  pool.embeddings = {{2.0f}, {-1.0f}};
  pool.expected_boxes = {4.0, 0.5};
  LabeledSet labeled;
  labeled.embeddings = {{0.0f}};
  BatchSelectionOptions options = Options(SamplingStrategy::kHybrid);
  options.candidate_factor = 2;
  auto plain = SelectBatch(pool, labeled, 1, options, 1);
  options.box_cost = 1.0;
  auto costed = SelectBatch(pool, labeled, 1, options, 1);
  ASSERT_TRUE(plain.ok() && costed.ok()) << costed.status();
  EXPECT_EQ(plain->items[0].index, 0);
  EXPECT_EQ(costed->items[0].index, 1);
  // Without expected boxes the cost has nothing to weigh: plain k-center.
  pool.expected_boxes.clear();
  auto unknown = SelectBatch(pool, labeled, 1, options, 1);
  ASSERT_TRUE(unknown.ok());
  EXPECT_EQ(unknown->items[0].index, 0);
}

TEST(SelectBatchTest, RejectsBadBoxCosts) {
  PoolScores pool;
  pool.uncertainty = {0.5, 0.5};
  pool.embeddings = {{0.0f}, {1.0f}};
  pool.expected_boxes = {1.0};
  BatchSelectionOptions options = Options(SamplingStrategy::kHybrid);
  options.box_cost = 1.0;
  EXPECT_EQ(SelectBatch(pool, {}, 1, options, 1).status().code(),
            absl::StatusCode::kInvalidArgument);  // one count for two images
  pool.expected_boxes = {1.0, -0.5};
  EXPECT_EQ(SelectBatch(pool, {}, 1, options, 1).status().code(),
            absl::StatusCode::kInvalidArgument);
  pool.expected_boxes = {1.0, 2.0};
  options.box_cost = -1.0;
  EXPECT_EQ(SelectBatch(pool, {}, 1, options, 1).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(SelectBatchTest, RejectsMalformedClassScores) {
  PoolScores pool;
  pool.uncertainty = {0.5};
  pool.embeddings = {{0.0f}};
  pool.predicted_classes = {{1, 2}};
  pool.predicted_class_scores = {{0.5}};
  auto options = Options(SamplingStrategy::kHybrid);
  EXPECT_EQ(SelectBatch(pool, {}, 1, options, 1).status().code(),
            absl::StatusCode::kInvalidArgument);
  pool.predicted_class_scores = {{0.5, 1.5}};
  EXPECT_EQ(SelectBatch(pool, {}, 1, options, 1).status().code(),
            absl::StatusCode::kInvalidArgument);
  pool.predicted_class_scores = {{0.5, 0.7}};
  EXPECT_TRUE(SelectBatch(pool, {}, 1, options, 1).ok());
}

TEST(SelectBatchTest, HybridNeedsEmbeddingsOnlyForItsCandidates) {
  PoolScores full = UniformPool(1000, 11);
  auto options = Options(SamplingStrategy::kHybrid, 0.1);
  // b = 10: 1 random pick, 9 diversity picks from the top 45.
  const std::vector<int> candidates = HybridCandidates(full, {}, 10, options);
  ASSERT_EQ(candidates.size(), 45u);
  PoolScores sparse = full;
  for (auto& e : sparse.embeddings) e.clear();
  for (int i : candidates) sparse.embeddings[i] = full.embeddings[i];
  auto a = SelectBatch(full, {}, 10, options, 3);
  auto b = SelectBatch(sparse, {}, 10, options, 3);
  ASSERT_TRUE(a.ok() && b.ok()) << b.status();
  EXPECT_EQ(Indices(*a), Indices(*b));
  ExpectValid(*b, 10);

  sparse.embeddings[candidates[7]].clear();
  EXPECT_FALSE(SelectBatch(sparse, {}, 10, options, 3).ok());
}

TEST(SelectBatchTest, DeterministicUnderASeed) {
  PoolScores pool = UniformPool(300, 8);
  LabeledSet labeled;
  labeled.embeddings = {{0.5f, 0.5f}, {0.1f, 0.9f}};
  auto options = Options(SamplingStrategy::kHybrid, 0.2);
  auto a = SelectBatch(pool, labeled, 25, options, 42);
  auto b = SelectBatch(pool, labeled, 25, options, 42);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(Indices(*a), Indices(*b));
  for (size_t i = 0; i < a->items.size(); ++i) {
    EXPECT_EQ(a->items[i].diversity, b->items[i].diversity);
  }
}

TEST(SelectBatchTest, SmallPoolsAndBadInput) {
  PoolScores pool = UniformPool(5, 1);
  auto all = SelectBatch(pool, {}, 50, Options(SamplingStrategy::kHybrid, 0.1), 1);
  ASSERT_TRUE(all.ok());
  ExpectValid(*all, 5);
  EXPECT_TRUE(SelectBatch({}, {}, 5, Options(SamplingStrategy::kHybrid), 1)->items.empty());
  EXPECT_TRUE(SelectBatch(pool, {}, 0, Options(SamplingStrategy::kHybrid), 1)->items.empty());

  PoolScores no_embeddings = pool;
  no_embeddings.embeddings.clear();
  EXPECT_FALSE(SelectBatch(no_embeddings, {}, 2, Options(SamplingStrategy::kHybrid), 1).ok());
  PoolScores no_scores = pool;
  no_scores.uncertainty.clear();
  EXPECT_FALSE(SelectBatch(no_scores, {}, 2, Options(SamplingStrategy::kEntropy), 1).ok());
  PoolScores mismatched = pool;
  mismatched.uncertainty.pop_back();
  EXPECT_FALSE(SelectBatch(mismatched, {}, 2, Options(SamplingStrategy::kHybrid), 1).ok());
  PoolScores out_of_range = pool;
  out_of_range.uncertainty[0] = 1.5;
  EXPECT_FALSE(SelectBatch(out_of_range, {}, 2, Options(SamplingStrategy::kEntropy), 1).ok());
  LabeledSet wrong_dim;
  wrong_dim.embeddings = {{1, 2, 3}};
  EXPECT_FALSE(SelectBatch(pool, wrong_dim, 2, Options(SamplingStrategy::kHybrid), 1).ok());
  EXPECT_FALSE(SelectBatch(pool, {}, -1, Options(SamplingStrategy::kHybrid), 1).ok());
}

TEST(SamplingStrategyTest, NamesRoundTrip) {
  for (auto s :
       {SamplingStrategy::kRandom, SamplingStrategy::kLeastConfidence, SamplingStrategy::kEntropy,
        SamplingStrategy::kMargin, SamplingStrategy::kTta, SamplingStrategy::kHybrid}) {
    EXPECT_EQ(*ParseSamplingStrategy(SamplingStrategyName(s)), s);
  }
  EXPECT_FALSE(ParseSamplingStrategy("coreset").ok());
}

}  // namespace
}  // namespace labelloop
