#ifndef LABELLOOP_BENCHMARKS_SOAK_PROCESS_STATS_H_
#define LABELLOOP_BENCHMARKS_SOAK_PROCESS_STATS_H_

#include <sys/types.h>

#include <cstdint>

namespace labelloop {

// What a long run watches for leaks in another process, from /proc (-1 where unreadable).
struct ProcessStats {
  // Resident memory (VmRSS) and its peak (VmHWM), in KiB.
  int64_t rss_kib = -1;
  int64_t peak_rss_kib = -1;
  int64_t threads = -1;
  // Entries in /proc/PID/fd: files, sockets, pipes.
  int64_t open_fds = -1;
  // User + system CPU time so far, in seconds.
  double cpu_seconds = -1;
};

ProcessStats ReadProcessStats(pid_t pid);

}  // namespace labelloop

#endif  // LABELLOOP_BENCHMARKS_SOAK_PROCESS_STATS_H_
