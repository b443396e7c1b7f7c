#include "server/limits/request_rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace labelloop {

RequestRateLimiter::RequestRateLimiter(double per_second, int burst, const Clock* clock)
    : per_second_(per_second), burst_(std::max(1, burst)), clock_(clock) {}

int64_t RequestRateLimiter::Acquire(absl::string_view caller) {
  if (per_second_ <= 0) return 0;
  const int64_t now_ms = clock_->NowMs();
  std::lock_guard<std::mutex> lock(mutex_);
  if (buckets_.size() > kPruneAbove) PruneFullBuckets(now_ms);
  auto [it, added] = buckets_.try_emplace(std::string(caller), Bucket{burst_, now_ms});
  Bucket& bucket = it->second;
  const double elapsed_s =
      static_cast<double>(std::max<int64_t>(0, now_ms - bucket.refilled_ms)) / 1000.0;
  bucket.tokens = std::min(burst_, bucket.tokens + elapsed_s * per_second_);
  bucket.refilled_ms = now_ms;
  if (bucket.tokens >= 1.0) {
    bucket.tokens -= 1.0;
    return 0;
  }
  return std::max<int64_t>(
      1, static_cast<int64_t>(std::ceil((1.0 - bucket.tokens) * 1000.0 / per_second_)));
}

void RequestRateLimiter::PruneFullBuckets(int64_t now_ms) {
  for (auto it = buckets_.begin(); it != buckets_.end();) {
    const double elapsed_s = static_cast<double>(now_ms - it->second.refilled_ms) / 1000.0;
    if (it->second.tokens + elapsed_s * per_second_ >= burst_) {
      it = buckets_.erase(it);
    } else {
      ++it;
    }
  }
}

}  // namespace labelloop
