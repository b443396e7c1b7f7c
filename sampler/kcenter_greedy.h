#ifndef LABELLOOP_SAMPLER_KCENTER_GREEDY_H_
#define LABELLOOP_SAMPLER_KCENTER_GREEDY_H_

#include <functional>
#include <vector>

#include "absl/types/span.h"

namespace labelloop {

// Diversity by k-center greedy (Gonzalez 1985; Sener & Savarese's core-set active learning):
// repeatedly pick the point farthest (L2) from every center so far, starting from the centers
// already labeled. Picking k more centers this way leaves a covering radius at most twice the
// best possible one for those starting centers (the usual 2-approximation argument holds with
// fixed initial centers: k+1 points pairwise more than 2*OPT apart cannot share k optimal
// centers, and none can be covered by an initial center).
//
// Embeddings are dense float vectors of one dimension.
using Embedding = std::vector<float>;

double L2Distance(absl::Span<const float> a, absl::Span<const float> b);
// |a - b|^2 over the shorter length (cheaper when only the order of distances matters).
double SquaredL2Distance(absl::Span<const float> a, absl::Span<const float> b);

struct KCenterResult {
  // Indices into `points`, in pick order.
  std::vector<int> picks;
  // For each pick, its distance to the nearest center at the time it was picked (initial centers
  // and earlier picks). Non-increasing. +infinity for a first pick made with no centers.
  std::vector<double> pick_distances;
  // max over points of the distance to the nearest center once all picks are made (0 when every
  // point is a center or there are no points; +infinity if nothing is a center).
  double radius = 0;
};

// Picks min(k, points.size()) points. With no `centers`, the first pick is `first_pick` (the
// caller's choice, e.g. the most uncertain point); afterwards the farthest point, ties to the
// lowest index. O(points x (centers + k) x dim).
KCenterResult KCenterGreedy(const std::vector<Embedding>& points,
                            const std::vector<Embedding>& centers, int k, int first_pick = 0);

// A positive weight for `point` given the picks made so far (in pick order).
using PickWeight = std::function<double(int point, absl::Span<const int> picks)>;

// As KCenterGreedy, but each step after a forced first pick takes the point with the largest
// weight x distance to its nearest center (ties to the lowest index): diversity traded against
// a per-point value that may change with the picks (the rare-class boost). `weight` is called for
// every unpicked point at every step. pick_distances stay plain distances, so they need not be
// non-increasing. A weight of 1 everywhere picks what KCenterGreedy picks.
KCenterResult WeightedKCenterGreedy(const std::vector<Embedding>& points,
                                    const std::vector<Embedding>& centers, int k, int first_pick,
                                    const PickWeight& weight);

// The covering radius of `points` by `centers` plus the points at `chosen`: max over points of
// the distance to the nearest of them. +infinity when there is no center at all.
double CoveringRadius(const std::vector<Embedding>& points, const std::vector<Embedding>& centers,
                      absl::Span<const int> chosen);

}  // namespace labelloop

#endif  // LABELLOOP_SAMPLER_KCENTER_GREEDY_H_
