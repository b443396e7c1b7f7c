#ifndef LABELLOOP_BENCHMARKS_SOAK_RPC_RECORDER_H_
#define LABELLOOP_BENCHMARKS_SOAK_RPC_RECORDER_H_

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace labelloop {

// The calls of one reporting interval: latencies per RPC and failures per status code.
struct RpcInterval {
  // Client-side latency (ns) of every call that ended in the interval, by RPC name, failed ones
  // included (a slow failure is still a wait).
  std::map<std::string, std::vector<int64_t>> latency_ns;
  // Failures by gRPC code name ("DEADLINE_EXCEEDED"), then the first message of each.
  std::map<std::string, int64_t> errors;
  std::map<std::string, std::string> first_error;
  int64_t labels_acked = 0;
};

// Collects every client call of a long run; the reporter takes what accumulated once per
// interval. One mutex: a few hundred calls a second, not a hot path.
class RpcRecorder {
 public:
  using Clock = std::chrono::steady_clock;

  // Records a call of `rpc` that started at `start` and ended now with `status`.
  void Record(const std::string& rpc, Clock::time_point start, const grpc::Status& status);
  void LabelAcked();
  // What was recorded since the last call, and starts a new interval.
  RpcInterval TakeInterval();

 private:
  std::mutex mu_;
  RpcInterval current_;
};

// "OK", "RESOURCE_EXHAUSTED", ...
std::string StatusCodeName(grpc::StatusCode code);

}  // namespace labelloop

#endif  // LABELLOOP_BENCHMARKS_SOAK_RPC_RECORDER_H_
