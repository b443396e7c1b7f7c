#ifndef LABELLOOP_SERVER_LIMITS_STREAM_LIMITER_H_
#define LABELLOOP_SERVER_LIMITS_STREAM_LIMITER_H_

#include <atomic>

namespace labelloop {

// Counts the streaming RPCs open at once. A sync gRPC stream holds a server thread for its whole
// life (a WatchJob for a whole training round), so without a cap a few clients could take every
// thread and starve unary calls such as SubmitLabels.
class StreamLimiter {
 public:
  // max <= 0 turns the limit off.
  explicit StreamLimiter(int max) : max_(max) {}

  // True (and the stream counted) when one more stream fits; pair with Release.
  bool TryAcquire() {
    int open = open_.fetch_add(1) + 1;
    if (max_ > 0 && open > max_) {
      open_.fetch_sub(1);
      return false;
    }
    return true;
  }
  void Release() { open_.fetch_sub(1); }
  int max() const { return max_; }

 private:
  const int max_;
  std::atomic<int> open_{0};
};

}  // namespace labelloop

#endif  // LABELLOOP_SERVER_LIMITS_STREAM_LIMITER_H_
