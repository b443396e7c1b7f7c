#include "benchmarks/soak/rpc_recorder.h"

#include <utility>

namespace labelloop {

std::string StatusCodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return "OK";
    case grpc::StatusCode::CANCELLED:
      return "CANCELLED";
    case grpc::StatusCode::UNKNOWN:
      return "UNKNOWN";
    case grpc::StatusCode::INVALID_ARGUMENT:
      return "INVALID_ARGUMENT";
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return "DEADLINE_EXCEEDED";
    case grpc::StatusCode::NOT_FOUND:
      return "NOT_FOUND";
    case grpc::StatusCode::ALREADY_EXISTS:
      return "ALREADY_EXISTS";
    case grpc::StatusCode::PERMISSION_DENIED:
      return "PERMISSION_DENIED";
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return "RESOURCE_EXHAUSTED";
    case grpc::StatusCode::FAILED_PRECONDITION:
      return "FAILED_PRECONDITION";
    case grpc::StatusCode::ABORTED:
      return "ABORTED";
    case grpc::StatusCode::OUT_OF_RANGE:
      return "OUT_OF_RANGE";
    case grpc::StatusCode::UNIMPLEMENTED:
      return "UNIMPLEMENTED";
    case grpc::StatusCode::INTERNAL:
      return "INTERNAL";
    case grpc::StatusCode::UNAVAILABLE:
      return "UNAVAILABLE";
    case grpc::StatusCode::DATA_LOSS:
      return "DATA_LOSS";
    case grpc::StatusCode::UNAUTHENTICATED:
      return "UNAUTHENTICATED";
    default:
      return "CODE_" + std::to_string(static_cast<int>(code));
  }
}

void RpcRecorder::Record(const std::string& rpc, Clock::time_point start,
                         const grpc::Status& status) {
  const int64_t ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start).count();
  std::lock_guard<std::mutex> lock(mu_);
  current_.latency_ns[rpc].push_back(ns);
  if (status.ok()) return;
  const std::string code = StatusCodeName(status.error_code());
  if (current_.errors[code]++ == 0) {
    current_.first_error[code] = rpc + ": " + status.error_message();
  }
}

void RpcRecorder::LabelAcked() {
  std::lock_guard<std::mutex> lock(mu_);
  ++current_.labels_acked;
}

RpcInterval RpcRecorder::TakeInterval() {
  std::lock_guard<std::mutex> lock(mu_);
  return std::exchange(current_, RpcInterval());
}

}  // namespace labelloop
