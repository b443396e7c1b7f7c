#ifndef LABELLOOP_COMMON_CLOCK_H_
#define LABELLOOP_COMMON_CLOCK_H_

#include <atomic>
#include <chrono>
#include <cstdint>

namespace labelloop {

// Wall-clock time in milliseconds since the Unix epoch, behind an interface so tests can move
// time (lease expiry) without sleeping.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual int64_t NowMs() const = 0;
};

class SystemClock : public Clock {
 public:
  int64_t NowMs() const override {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
};

// A clock that moves only when told to.
class ManualClock : public Clock {
 public:
  explicit ManualClock(int64_t start_ms) : now_ms_(start_ms) {}
  int64_t NowMs() const override { return now_ms_.load(); }
  void AdvanceMs(int64_t ms) { now_ms_ += ms; }

 private:
  std::atomic<int64_t> now_ms_;
};

}  // namespace labelloop

#endif  // LABELLOOP_COMMON_CLOCK_H_
