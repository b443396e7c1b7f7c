#include "server/auth/call_admission.h"

#include <grpcpp/server_context.h>

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "server/auth/authorizer.h"
#include "server/auth/method_permissions.h"
#include "spdlog/spdlog.h"

namespace labelloop::auth {
namespace {

using grpc::experimental::InterceptionHookPoints;

// One per call, created by gRPC when the call starts and destroyed when it ends.
class AdmissionInterceptor : public grpc::experimental::Interceptor {
 public:
  AdmissionInterceptor(CallAdmission* admission, grpc::experimental::ServerRpcInfo* info)
      : admission_(admission), info_(info) {}
  ~AdmissionInterceptor() override {
    if (holds_stream_) admission_->ReleaseStream();
  }

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_INITIAL_METADATA)) {
      Decide(methods->GetRecvInitialMetadata());
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      CheckHandlerObeyed(methods);
    }
    methods->Proceed();
  }

 private:
  void Decide(std::multimap<grpc::string_ref, grpc::string_ref>* metadata) {
    if (metadata == nullptr) return;
    std::optional<absl::string_view> authorization;
    if (auto it = metadata->find("authorization"); it != metadata->end()) {
      authorization = absl::string_view(it->second.data(), it->second.size());
    }
    const bool streaming = info_->type() != grpc::experimental::ServerRpcInfo::Type::UNARY;
    CallAdmission::Decision decision = admission_->Decide(info_->method(), streaming, authorization,
                                                          info_->server_context()->peer());
    holds_stream_ = decision.holds_stream;
    verdict_ = std::move(decision.verdict);
    WriteVerdict(verdict_, &storage_, metadata);
  }

  // A denied call must end with its denial; anything else means its handler did not start with
  // LABELLOOP_RETURN_IF_NOT_ADMITTED and did its work unchecked. Public services we do not write
  // (health) are never denied, so this only fires for our own handlers.
  void CheckHandlerObeyed(grpc::experimental::InterceptorBatchMethods* methods) {
    if (verdict_.status.ok()) return;
    grpc::Status sent = methods->GetSendStatus();
    if (static_cast<int>(sent.error_code()) == static_cast<int>(verdict_.status.code())) return;
    std::string message = absl::StrCat("labelloopd bug: ", info_->method(),
                                       " ran without checking the call's admission (",
                                       verdict_.status.ToString(), ")");
    spdlog::error("{}", message);
    methods->ModifySendStatus(grpc::Status(grpc::StatusCode::INTERNAL, message));
  }

  CallAdmission* admission_;
  grpc::experimental::ServerRpcInfo* info_;
  CallVerdict verdict_;
  VerdictStorage storage_;
  bool holds_stream_ = false;
};

class AdmissionInterceptorFactory : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit AdmissionInterceptorFactory(CallAdmission* admission) : admission_(admission) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    return new AdmissionInterceptor(admission_, info);
  }

 private:
  CallAdmission* admission_;
};

}  // namespace

CallAdmission::CallAdmission(std::optional<TokenFile> tokens, const v1::LimitsConfig& limits,
                             const Clock* clock)
    : tokens_(std::move(tokens)),
      requests_per_second_(limits.requests_per_second()),
      request_burst_(limits.request_burst()),
      rate_(limits.requests_per_second(), limits.request_burst(), clock),
      streams_(limits.max_concurrent_streams()) {}

CallAdmission::Decision CallAdmission::Decide(absl::string_view full_method, bool streaming,
                                              std::optional<absl::string_view> authorization,
                                              absl::string_view peer) {
  Decision decision;
  std::optional<MethodRule> rule = RuleForMethod(full_method);
  if (rule.has_value() && rule->access == Access::kPublic) return decision;
  if (tokens_.has_value()) {
    absl::StatusOr<std::optional<TokenIdentity>> identity =
        Authorize(*tokens_, full_method, authorization);
    if (!identity.ok()) {
      decision.verdict.status = identity.status();
      return decision;
    }
    if (identity->has_value()) {
      decision.verdict.caller = (*identity)->name;
      decision.verdict.role = (*identity)->role;
    }
  }
  // Without tokens every connection is its own caller (its peer address includes the port).
  const std::string rate_key = decision.verdict.caller.has_value()
                                   ? absl::StrCat("token:", *decision.verdict.caller)
                                   : absl::StrCat("peer:", peer);
  if (int64_t retry_ms = rate_.Acquire(rate_key); retry_ms > 0) {
    decision.verdict.status = absl::ResourceExhaustedError(absl::StrCat(
        "request rate limit reached (limits.requests_per_second ", requests_per_second_,
        ", bursts of ", request_burst_, " per caller); retry in ", retry_ms, " ms"));
    decision.verdict.retry_after_ms = retry_ms;
    return decision;
  }
  if (streaming) {
    if (!streams_.TryAcquire()) {
      decision.verdict.status = absl::ResourceExhaustedError(
          absl::StrCat("too many open streams (limits.max_concurrent_streams ", streams_.max(),
                       "); retry when a transfer or watch ends"));
      return decision;
    }
    decision.holds_stream = true;
  }
  return decision;
}

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
CallAdmission::InterceptorFactory() {
  return std::make_unique<AdmissionInterceptorFactory>(this);
}

}  // namespace labelloop::auth
