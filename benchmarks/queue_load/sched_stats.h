#ifndef LABELLOOP_BENCHMARKS_QUEUE_LOAD_SCHED_STATS_H_
#define LABELLOOP_BENCHMARKS_QUEUE_LOAD_SCHED_STATS_H_

#include <sys/types.h>

#include <string>

namespace labelloop {

// How a process used the CPU: seconds on a CPU (user + system, all threads, from /proc/PID/stat),
// and seconds its threads were runnable but waiting for a CPU (/proc/PID/task/*/schedstat). On a
// shared 2-core machine the waiting share says how much of a latency is other people's builds
// rather than the daemon. gRPC's sync server starts and ends worker threads as load changes, and
// an ended thread's wait is gone from /proc, so the waiting figure is a lower bound.
struct SchedTotals {
  double running_seconds = 0.0;
  double waiting_seconds = 0.0;
};

SchedTotals ReadSchedTotals(pid_t pid);
SchedTotals operator-(const SchedTotals& a, const SchedTotals& b);

// "load 9.77 7.23 6.30, cpu pressure some avg10=98.59" from /proc, for the report.
std::string MachineLoad();

}  // namespace labelloop

#endif  // LABELLOOP_BENCHMARKS_QUEUE_LOAD_SCHED_STATS_H_
