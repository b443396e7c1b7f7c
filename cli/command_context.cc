#include "cli/command_context.h"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "cli/usage_error.h"

namespace labelloop {

std::unique_ptr<grpc::ClientContext> CommandContext::NewRpc(absl::Duration deadline) const {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(absl::ToChronoTime(absl::Now() + deadline));
  if (!token.empty()) context->AddMetadata("authorization", absl::StrCat("Bearer ", token));
  return context;
}

absl::Status CommandContext::CheckFlags(const Arguments& arguments,
                                        std::initializer_list<std::string> command_flags) const {
  std::vector<std::string> allowed(command_flags);
  allowed.insert(allowed.end(), std::begin(kGlobalFlags), std::end(kGlobalFlags));
  return arguments.CheckOnly(allowed);
}

namespace {

// The PEM file a flag names, or a usage error naming the flag.
absl::StatusOr<std::string> ReadPemFlag(const Arguments& arguments, const char* flag) {
  std::optional<std::string> path = arguments.Get(flag);
  if (!path.has_value()) return std::string();
  std::ifstream in(*path, std::ios::binary);
  std::ostringstream text;
  if (in) text << in.rdbuf();
  if (!in || text.str().find("-----BEGIN ") == std::string::npos) {
    return UsageError(absl::StrCat("--", flag, ": cannot read a PEM file at \"", *path, "\""));
  }
  return text.str();
}

}  // namespace

absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> ChannelCredentialsFromFlags(
    const Arguments& arguments) {
  absl::StatusOr<std::string> ca = ReadPemFlag(arguments, "tls_ca");
  if (!ca.ok()) return ca.status();
  absl::StatusOr<std::string> cert = ReadPemFlag(arguments, "tls_cert");
  if (!cert.ok()) return cert.status();
  absl::StatusOr<std::string> key = ReadPemFlag(arguments, "tls_key");
  if (!key.ok()) return key.status();
  if (ca->empty()) {
    if (!cert->empty() || !key->empty()) {
      return UsageError("--tls_cert and --tls_key need --tls_ca (the daemon's CA)");
    }
    return grpc::InsecureChannelCredentials();
  }
  if (cert->empty() != key->empty()) return UsageError("--tls_cert and --tls_key go together");
  grpc::SslCredentialsOptions options;
  options.pem_root_certs = *ca;
  options.pem_cert_chain = *cert;
  options.pem_private_key = *key;
  return grpc::SslCredentials(options);
}

std::string TokenFromFlags(const Arguments& arguments) {
  if (std::optional<std::string> token = arguments.Get("token"); token.has_value()) return *token;
  const char* env = std::getenv("LABELLOOP_TOKEN");
  return env != nullptr ? std::string(env) : std::string();
}

}  // namespace labelloop
