#include "server/auth/server_credentials.h"

#include <grpcpp/security/server_credentials.h>

#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"

namespace labelloop::auth {
namespace {

absl::StatusOr<std::string> ReadPem(const char* field, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  if (in) text << in.rdbuf();
  if (!in || text.str().empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("security.", field, ": cannot read \"", path, "\" (missing or empty)"));
  }
  if (text.str().find("-----BEGIN ") == std::string::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("security.", field, ": \"", path, "\" is not a PEM file"));
  }
  return text.str();
}

}  // namespace

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MakeServerCredentials(
    const v1::SecurityConfig& security) {
  if (security.tls_cert_file().empty()) {
    if (!security.tls_key_file().empty() || !security.tls_client_ca_file().empty()) {
      return absl::InvalidArgumentError(
          "security.tls_cert_file is required when tls_key_file or tls_client_ca_file is set");
    }
    return grpc::InsecureServerCredentials();
  }
  if (security.tls_key_file().empty()) {
    return absl::InvalidArgumentError("security.tls_key_file is required with tls_cert_file");
  }
  absl::StatusOr<std::string> cert = ReadPem("tls_cert_file", security.tls_cert_file());
  if (!cert.ok()) return cert.status();
  absl::StatusOr<std::string> key = ReadPem("tls_key_file", security.tls_key_file());
  if (!key.ok()) return key.status();
  grpc::SslServerCredentialsOptions options;
  options.pem_key_cert_pairs.push_back({*key, *cert});
  if (!security.tls_client_ca_file().empty()) {
    absl::StatusOr<std::string> ca = ReadPem("tls_client_ca_file", security.tls_client_ca_file());
    if (!ca.ok()) return ca.status();
    options.pem_root_certs = *ca;
    options.client_certificate_request = GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY;
  }
  return grpc::SslServerCredentials(options);
}

}  // namespace labelloop::auth
