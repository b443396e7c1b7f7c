#include "sampler/kcenter_greedy.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace labelloop {
namespace {

constexpr double kInfinity = std::numeric_limits<double>::infinity();

// nearest[i] = min(nearest[i], |points[i] - center|^2). Squared: the order is the same, and a
// square root per pair was a tenth of the work.
void Relax(const std::vector<Embedding>& points, absl::Span<const float> center,
           std::vector<double>& nearest) {
  for (size_t i = 0; i < points.size(); ++i) {
    nearest[i] = std::min(nearest[i], SquaredL2Distance(points[i], center));
  }
}

}  // namespace

double SquaredL2Distance(absl::Span<const float> a, absl::Span<const float> b) {
  // Eight float accumulators the compiler keeps in vector registers: a double accumulated in
  // order cannot be vectorised (its additions may not be reordered), and it made k-center a
  // third of the daemon's CPU under load (192 candidates x 256 labeled centers x 320 floats per
  // batch). Float partial sums of at most a few thousand squares stay within ~1e-6 relative.
  // Raw pointers: Span's operator[] carries a (compiled-out) bounds check whose branches kept
  // GCC from vectorising the loop at all.
  constexpr size_t kLanes = 8;
  const size_t n = std::min(a.size(), b.size());
  const float* pa = a.data();
  const float* pb = b.data();
  float lanes[kLanes] = {};
  size_t i = 0;
  for (; i + kLanes <= n; i += kLanes) {
    for (size_t l = 0; l < kLanes; ++l) {
      const float d = pa[i + l] - pb[i + l];
      lanes[l] += d * d;
    }
  }
  double sum = 0;
  for (size_t l = 0; l < kLanes; ++l) sum += lanes[l];
  for (; i < n; ++i) {
    const double d = double{pa[i]} - pb[i];
    sum += d * d;
  }
  return sum;
}

double L2Distance(absl::Span<const float> a, absl::Span<const float> b) {
  return std::sqrt(SquaredL2Distance(a, b));
}

KCenterResult KCenterGreedy(const std::vector<Embedding>& points,
                            const std::vector<Embedding>& centers, int k, int first_pick) {
  return WeightedKCenterGreedy(points, centers, k, first_pick, nullptr);
}

KCenterResult WeightedKCenterGreedy(const std::vector<Embedding>& points,
                                    const std::vector<Embedding>& centers, int k, int first_pick,
                                    const PickWeight& weight) {
  KCenterResult result;
  std::vector<double> nearest(points.size(), kInfinity);
  for (const Embedding& center : centers) Relax(points, center, nearest);
  std::vector<bool> picked(points.size(), false);
  const size_t count = std::min(points.size(), static_cast<size_t>(std::max(0, k)));
  for (size_t step = 0; step < count; ++step) {
    int best = -1;
    if (step == 0 && centers.empty() && first_pick >= 0 &&
        static_cast<size_t>(first_pick) < points.size()) {
      best = first_pick;
    } else {
      // Squared distances, so the weight enters squared: the same order as weight x distance.
      double best_key = -1;
      for (size_t i = 0; i < points.size(); ++i) {
        if (picked[i]) continue;
        double key = nearest[i];
        if (weight != nullptr) {
          const double w = weight(static_cast<int>(i), result.picks);
          key *= w * w;
        }
        if (best < 0 || key > best_key) {
          best = static_cast<int>(i);
          best_key = key;
        }
      }
    }
    picked[best] = true;
    result.picks.push_back(best);
    result.pick_distances.push_back(std::sqrt(nearest[best]));
    Relax(points, points[best], nearest);
  }
  result.radius = 0;
  for (double d : nearest) result.radius = std::max(result.radius, d);
  result.radius = std::sqrt(result.radius);
  return result;
}

double CoveringRadius(const std::vector<Embedding>& points, const std::vector<Embedding>& centers,
                      absl::Span<const int> chosen) {
  std::vector<double> nearest(points.size(), kInfinity);
  for (const Embedding& center : centers) Relax(points, center, nearest);
  for (int index : chosen) Relax(points, points[index], nearest);
  double radius = 0;
  for (double d : nearest) radius = std::max(radius, d);
  return std::sqrt(radius);
}

}  // namespace labelloop
