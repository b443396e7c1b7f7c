#include "server/auth/call_verdict.h"

#include <string_view>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace labelloop::auth {
namespace {

// Reserved metadata keys; anything a client sends under this prefix is dropped.
constexpr std::string_view kPrefix = "x-labelloop-admission-";
constexpr std::string_view kCode = "x-labelloop-admission-code";
constexpr std::string_view kMessage = "x-labelloop-admission-message";
constexpr std::string_view kCaller = "x-labelloop-admission-caller";
constexpr std::string_view kRole = "x-labelloop-admission-role";
constexpr std::string_view kRetryAfterMs = "x-labelloop-admission-retry-after-ms";

std::optional<std::string_view> Find(const grpc::ServerContext& context, std::string_view key) {
  const auto& metadata = context.client_metadata();
  auto it = metadata.find(grpc::string_ref(key.data(), key.size()));
  if (it == metadata.end()) return std::nullopt;
  return std::string_view(it->second.data(), it->second.size());
}

grpc::string_ref Ref(std::string_view text) { return grpc::string_ref(text.data(), text.size()); }

}  // namespace

grpc::Status AdmitCall(grpc::ServerContext* context) {
  std::optional<std::string_view> code_text = Find(*context, kCode);
  int code = 0;
  if (!code_text.has_value() ||
      !absl::SimpleAtoi(absl::string_view(code_text->data(), code_text->size()), &code)) {
    return grpc::Status(grpc::StatusCode::INTERNAL,
                        "labelloopd: no admission verdict for this call (interceptor missing)");
  }
  if (code == 0) return grpc::Status::OK;
  std::optional<std::string_view> retry = Find(*context, kRetryAfterMs);
  if (retry.has_value()) context->AddTrailingMetadata("retry-after-ms", std::string(*retry));
  std::optional<std::string_view> message = Find(*context, kMessage);
  return grpc::Status(static_cast<grpc::StatusCode>(code),
                      message.has_value() ? std::string(*message) : std::string());
}

std::optional<Caller> CallerOf(const grpc::ServerContext& context) {
  std::optional<std::string_view> name = Find(context, kCaller);
  std::optional<std::string_view> role = Find(context, kRole);
  if (!name.has_value() || !role.has_value()) return std::nullopt;
  absl::StatusOr<Role> parsed = ParseRole(absl::string_view(role->data(), role->size()));
  if (!parsed.ok()) return std::nullopt;
  return Caller{std::string(*name), *parsed};
}

void WriteVerdict(const CallVerdict& verdict, VerdictStorage* storage,
                  std::multimap<grpc::string_ref, grpc::string_ref>* metadata) {
  for (auto it = metadata->begin(); it != metadata->end();) {
    if (it->first.starts_with(Ref(kPrefix))) {
      it = metadata->erase(it);
    } else {
      ++it;
    }
  }
  storage->code = absl::StrCat(static_cast<int>(verdict.status.code()));
  metadata->emplace(Ref(kCode), Ref(storage->code));
  if (!verdict.status.ok()) {
    storage->message = std::string(verdict.status.message());
    metadata->emplace(Ref(kMessage), Ref(storage->message));
  }
  if (verdict.retry_after_ms > 0) {
    storage->retry_after_ms = absl::StrCat(verdict.retry_after_ms);
    metadata->emplace(Ref(kRetryAfterMs), Ref(storage->retry_after_ms));
  }
  if (verdict.caller.has_value()) {
    storage->caller = *verdict.caller;
    storage->role = RoleName(verdict.role);
    metadata->emplace(Ref(kCaller), Ref(storage->caller));
    metadata->emplace(Ref(kRole), Ref(storage->role));
  }
}

}  // namespace labelloop::auth
