#include "sampler/kcenter_greedy.h"

#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace labelloop {
namespace {

using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;

constexpr double kTol = 1e-9;

// The best covering radius over all choices of k points (with the fixed `centers`).
double BruteForceRadius(const std::vector<Embedding>& points, const std::vector<Embedding>& centers,
                        int k) {
  const int n = static_cast<int>(points.size());
  double best = std::numeric_limits<double>::infinity();
  for (unsigned mask = 0; mask < (1u << n); ++mask) {
    if (__builtin_popcount(mask) != k) continue;
    std::vector<int> chosen;
    for (int i = 0; i < n; ++i) {
      if (mask & (1u << i)) chosen.push_back(i);
    }
    best = std::min(best, CoveringRadius(points, centers, chosen));
  }
  return best;
}

TEST(L2DistanceTest, ByHand) {
  EXPECT_NEAR(L2Distance(std::vector<float>{0, 0}, std::vector<float>{3, 4}), 5.0, kTol);
}

TEST(L2DistanceTest, SquaredMatchesDoublePrecisionOverEveryLengthAndTail) {
  // Lengths around the 8-lane blocks, so the vector part and the tail both count.
  std::mt19937 rng(3);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  for (size_t n : {0, 1, 7, 8, 9, 15, 16, 17, 320, 323}) {
    std::vector<float> a(n), b(n);
    double expected = 0;
    for (size_t i = 0; i < n; ++i) {
      a[i] = normal(rng);
      b[i] = normal(rng);
      expected += (double{a[i]} - b[i]) * (double{a[i]} - b[i]);
    }
    EXPECT_NEAR(SquaredL2Distance(a, b), expected, 1e-5 * (1 + expected)) << n;
    EXPECT_NEAR(L2Distance(a, b), std::sqrt(expected), 1e-5 * (1 + std::sqrt(expected))) << n;
  }
  // Over the shorter length.
  EXPECT_NEAR(SquaredL2Distance(std::vector<float>{1, 2, 3}, std::vector<float>{1, 0}), 4.0, kTol);
}

TEST(KCenterGreedyTest, LineByHandMatchesOptimum) {
  // Points 0..10 on a line, first pick 0: next the farthest, 10 (distance 10), then 5 (distance
  // 5). Radius 2 (points 2, 3, 7, 8). Optimal for k = 3 is also 2: three radius-1 intervals hold
  // at most 9 of the 11 points.
  std::vector<Embedding> points;
  for (int i = 0; i <= 10; ++i) points.push_back({static_cast<float>(i)});
  KCenterResult r = KCenterGreedy(points, {}, 3, 0);
  EXPECT_THAT(r.picks, ElementsAre(0, 10, 5));
  EXPECT_EQ(r.pick_distances[0], std::numeric_limits<double>::infinity());
  EXPECT_NEAR(r.pick_distances[1], 10, kTol);
  EXPECT_NEAR(r.pick_distances[2], 5, kTol);
  EXPECT_NEAR(r.radius, 2, kTol);
  EXPECT_NEAR(BruteForceRadius(points, {}, 3), 2, kTol);
}

TEST(KCenterGreedyTest, StartsFromLabeledCentersByHand) {
  // Labeled center at the origin. Distances: (1,0) 1, (10,0) 10, (11,0) 11, (5,5) 7.071.
  // Pick (11,0) at 11; then (5,5): min(7.071, |(5,5)-(11,0)| = 7.810) = 7.071, while (10,0) and
  // (1,0) are now 1 away. Radius 1, which is optimal (brute force).
  std::vector<Embedding> points = {{0, 0}, {1, 0}, {10, 0}, {11, 0}, {5, 5}};
  std::vector<Embedding> labeled = {{0, 0}};
  KCenterResult r = KCenterGreedy(points, labeled, 2);
  EXPECT_THAT(r.picks, ElementsAre(3, 4));
  EXPECT_NEAR(r.pick_distances[0], 11, kTol);
  EXPECT_NEAR(r.pick_distances[1], std::sqrt(50.0), 1e-6);
  EXPECT_NEAR(r.radius, 1, kTol);
  EXPECT_NEAR(BruteForceRadius(points, labeled, 2), 1, kTol);
}

TEST(KCenterGreedyTest, TwoClustersGetOnePickEach) {
  std::vector<Embedding> points = {{0, 0}, {0.1f, 0}, {0, 0.1f}, {9, 9}, {9.1f, 9}, {9, 9.1f}};
  KCenterResult r = KCenterGreedy(points, {}, 2, 1);
  EXPECT_EQ(r.picks[0], 1);
  EXPECT_GE(r.picks[1], 3);
}

TEST(KCenterGreedyTest, MoreThanThePointsPicksAllAndCoversExactly) {
  std::vector<Embedding> points = {{0, 0}, {1, 1}, {1, 1}};
  KCenterResult r = KCenterGreedy(points, {}, 10);
  EXPECT_THAT(r.picks, UnorderedElementsAre(0, 1, 2));
  EXPECT_EQ(r.radius, 0.0);
  EXPECT_TRUE(KCenterGreedy({}, {}, 3).picks.empty());
}

TEST(KCenterGreedyTest, WithinTwiceTheOptimumOnRandomSets) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> coord(-1.0f, 1.0f);
  int exact = 0, cases = 0;
  for (int trial = 0; trial < 60; ++trial) {
    const int n = 6 + trial % 6;  // up to 11 points: 2^11 subsets
    const int dim = 1 + trial % 3;
    std::vector<Embedding> points(n, Embedding(dim));
    for (auto& p : points) {
      for (float& x : p) x = coord(rng);
    }
    std::vector<Embedding> labeled(trial % 3, Embedding(dim));
    for (auto& p : labeled) {
      for (float& x : p) x = coord(rng);
    }
    for (int k = 1; k <= 4; ++k) {
      KCenterResult r = KCenterGreedy(points, labeled, k, trial % n);
      const double optimum = BruteForceRadius(points, labeled, k);
      ASSERT_LE(r.radius, 2 * optimum + kTol) << "trial " << trial << " k " << k;
      ASSERT_GE(r.radius, optimum - kTol);
      EXPECT_NEAR(r.radius, CoveringRadius(points, labeled, r.picks), kTol);
      for (size_t i = 1; i < r.pick_distances.size(); ++i) {
        ASSERT_LE(r.pick_distances[i], r.pick_distances[i - 1] + kTol);
      }
      exact += std::abs(r.radius - optimum) < kTol;
      ++cases;
    }
  }
  // Not a guarantee, a sanity check that the test is not vacuous: greedy is often optimal here.
  EXPECT_GT(exact, 0);
  EXPECT_LT(exact, cases);
}

TEST(WeightedKCenterGreedyTest, UnitWeightPicksWhatKCenterPicks) {
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> coord(-1.0f, 1.0f);
  std::vector<Embedding> points(40, Embedding(3));
  for (auto& p : points) {
    for (float& x : p) x = coord(rng);
  }
  const std::vector<Embedding> labeled = {{0, 0, 0}};
  const KCenterResult plain = KCenterGreedy(points, labeled, 8, 0);
  const KCenterResult weighted =
      WeightedKCenterGreedy(points, labeled, 8, 0, [](int, absl::Span<const int>) { return 1.0; });
  EXPECT_EQ(weighted.picks, plain.picks);
  EXPECT_EQ(weighted.pick_distances, plain.pick_distances);
}

TEST(WeightedKCenterGreedyTest, WeightTradesDistanceAndSeesEarlierPicks) {
  // From the center at 0: point 0 at distance 1, point 1 at 2, point 2 at -1.5.
  const std::vector<Embedding> points = {{1}, {2}, {-1.5}};
  const std::vector<Embedding> center = {{0}};
  // Point 0 weighs 3: 3 x 1 beats 1 x 2 and 1 x 1.5. Then weights drop to 1 for every point once
  // anything is picked: point 2 (1.5 away) beats point 1 (1 away from the pick at 1).
  std::vector<size_t> seen;
  const KCenterResult r =
      WeightedKCenterGreedy(points, center, 2, 0, [&](int point, absl::Span<const int> picks) {
        seen.push_back(picks.size());
        return picks.empty() && point == 0 ? 3.0 : 1.0;
      });
  EXPECT_THAT(r.picks, ElementsAre(0, 2));
  // Plain distances, not weighted ones.
  EXPECT_NEAR(r.pick_distances[0], 1.0, kTol);
  EXPECT_NEAR(r.pick_distances[1], 1.5, kTol);
  // Called for each unpicked point: 3 in the first step, 2 in the second.
  EXPECT_THAT(seen, ElementsAre(0, 0, 0, 1, 1));
}

}  // namespace
}  // namespace labelloop
