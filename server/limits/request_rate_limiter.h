#ifndef LABELLOOP_SERVER_LIMITS_REQUEST_RATE_LIMITER_H_
#define LABELLOOP_SERVER_LIMITS_REQUEST_RATE_LIMITER_H_

#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

#include "absl/strings/string_view.h"
#include "common/clock.h"

namespace labelloop {

// A token bucket per caller: each caller may sustain `per_second` requests with bursts of up to
// `burst`. One script looping on an RPC cannot starve the annotators sharing the daemon.
class RequestRateLimiter {
 public:
  // per_second <= 0 turns the limit off. `clock` must outlive the limiter.
  RequestRateLimiter(double per_second, int burst, const Clock* clock);

  // 0 when `caller` may make a request now (and takes one token), else the milliseconds until
  // it may.
  int64_t Acquire(absl::string_view caller);

 private:
  struct Bucket {
    double tokens;
    int64_t refilled_ms;
  };

  // Buckets of callers idle long enough to be full again are dropped past this many callers, so
  // per-connection keys (no tokens file) do not grow the map without bound.
  static constexpr size_t kPruneAbove = 4096;
  void PruneFullBuckets(int64_t now_ms);

  const double per_second_;
  const double burst_;
  const Clock* clock_;
  std::mutex mutex_;
  std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace labelloop

#endif  // LABELLOOP_SERVER_LIMITS_REQUEST_RATE_LIMITER_H_
