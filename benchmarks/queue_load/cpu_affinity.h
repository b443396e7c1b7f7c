#ifndef LABELLOOP_BENCHMARKS_QUEUE_LOAD_CPU_AFFINITY_H_
#define LABELLOOP_BENCHMARKS_QUEUE_LOAD_CPU_AFFINITY_H_

#include <sched.h>

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace labelloop {

// A set of CPUs as `taskset -c` writes it ("0", "1,3", "0-2,5"). Empty means "not pinned".
// Load benchmarks pin the daemon and the load generator to different cores so that a latency
// figure measures the daemon, not the generator's threads queueing for the same CPU.
class CpuList {
 public:
  CpuList() { CPU_ZERO(&set_); }
  // INVALID_ARGUMENT for malformed text, reversed ranges and CPUs at or above CPU_SETSIZE.
  static absl::StatusOr<CpuList> Parse(absl::string_view text);

  bool empty() const { return count() == 0; }
  int count() const { return CPU_COUNT(&set_); }
  const cpu_set_t& set() const { return set_; }
  std::string ToString() const;

 private:
  cpu_set_t set_;
};

// Pins the calling thread, and so every thread it starts later, to `cpus` (no-op when empty).
// Call before any other thread starts. FAILED_PRECONDITION if the kernel refuses, e.g. a CPU
// this process may not use.
absl::Status PinCallingThread(const CpuList& cpus);

}  // namespace labelloop

#endif  // LABELLOOP_BENCHMARKS_QUEUE_LOAD_CPU_AFFINITY_H_
