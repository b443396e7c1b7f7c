#ifndef LABELLOOP_BENCHMARKS_QUEUE_LOAD_LATENCY_STATS_H_
#define LABELLOOP_BENCHMARKS_QUEUE_LOAD_LATENCY_STATS_H_

#include <cstdint>
#include <vector>

namespace labelloop {

// Client-side latency of one RPC kind over the measured window, in milliseconds.
struct LatencySummary {
  int64_t count = 0;
  double mean_ms = 0.0;
  double p50_ms = 0.0;
  double p90_ms = 0.0;
  double p99_ms = 0.0;
  double max_ms = 0.0;
};

// Nearest-rank percentiles of `nanos` (sorted in place).
LatencySummary Summarize(std::vector<int64_t>& nanos);

}  // namespace labelloop

#endif  // LABELLOOP_BENCHMARKS_QUEUE_LOAD_LATENCY_STATS_H_
