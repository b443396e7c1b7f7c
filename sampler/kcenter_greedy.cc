#include "sampler/kcenter_greedy.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace labelloop {
namespace {

constexpr double kInfinity = std::numeric_limits<double>::infinity();

// nearest[i] = min(nearest[i], |points[i] - center|).
void Relax(const std::vector<Embedding>& points, absl::Span<const float> center,
           std::vector<double>& nearest) {
  for (size_t i = 0; i < points.size(); ++i) {
    nearest[i] = std::min(nearest[i], L2Distance(points[i], center));
  }
}

}  // namespace

double L2Distance(absl::Span<const float> a, absl::Span<const float> b) {
  double sum = 0;
  const size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    const double d = double{a[i]} - b[i];
    sum += d * d;
  }
  return std::sqrt(sum);
}

KCenterResult KCenterGreedy(const std::vector<Embedding>& points,
                            const std::vector<Embedding>& centers, int k, int first_pick) {
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
      for (size_t i = 0; i < points.size(); ++i) {
        if (picked[i]) continue;
        if (best < 0 || nearest[i] > nearest[best]) best = static_cast<int>(i);
      }
    }
    picked[best] = true;
    result.picks.push_back(best);
    result.pick_distances.push_back(nearest[best]);
    Relax(points, points[best], nearest);
  }
  result.radius = 0;
  for (double d : nearest) result.radius = std::max(result.radius, d);
  return result;
}

double CoveringRadius(const std::vector<Embedding>& points, const std::vector<Embedding>& centers,
                      absl::Span<const int> chosen) {
  std::vector<double> nearest(points.size(), kInfinity);
  for (const Embedding& center : centers) Relax(points, center, nearest);
  for (int index : chosen) Relax(points, points[index], nearest);
  double radius = 0;
  for (double d : nearest) radius = std::max(radius, d);
  return radius;
}

}  // namespace labelloop
