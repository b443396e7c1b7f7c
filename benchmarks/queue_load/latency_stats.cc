#include "benchmarks/queue_load/latency_stats.h"

#include <algorithm>
#include <cmath>

namespace labelloop {
namespace {

double Millis(int64_t nanos) { return static_cast<double>(nanos) / 1e6; }

// Nearest rank: the smallest sample with at least q of all samples at or below it, so p99 of
// 100 samples is the 99th, never an interpolation that no call actually took.
double Percentile(const std::vector<int64_t>& sorted, double q) {
  size_t rank = static_cast<size_t>(std::ceil(q * static_cast<double>(sorted.size())));
  rank = std::clamp<size_t>(rank, 1, sorted.size());
  return Millis(sorted[rank - 1]);
}

}  // namespace

LatencySummary Summarize(std::vector<int64_t>& nanos) {
  LatencySummary summary;
  if (nanos.empty()) return summary;
  std::sort(nanos.begin(), nanos.end());
  summary.count = static_cast<int64_t>(nanos.size());
  double total = 0.0;
  for (int64_t n : nanos) total += static_cast<double>(n);
  summary.mean_ms = total / static_cast<double>(nanos.size()) / 1e6;
  summary.p50_ms = Percentile(nanos, 0.50);
  summary.p90_ms = Percentile(nanos, 0.90);
  summary.p99_ms = Percentile(nanos, 0.99);
  summary.max_ms = Millis(nanos.back());
  return summary;
}

}  // namespace labelloop
