#ifndef LABELLOOP_SERVER_AUTH_SERVER_CREDENTIALS_H_
#define LABELLOOP_SERVER_AUTH_SERVER_CREDENTIALS_H_

#include <grpcpp/security/server_credentials.h>

#include <memory>

#include "absl/status/statusor.h"
#include "labelloop/v1/config.pb.h"

namespace labelloop::auth {

// The transport the daemon serves with: plaintext without tls_cert_file; TLS with
// tls_cert_file and tls_key_file; mutual TLS (client certificates required and verified against
// tls_client_ca_file) when that is set too. INVALID_ARGUMENT naming the field for half a setup
// (a key without a certificate, a client CA without TLS) or an unreadable file.
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MakeServerCredentials(
    const v1::SecurityConfig& security);

}  // namespace labelloop::auth

#endif  // LABELLOOP_SERVER_AUTH_SERVER_CREDENTIALS_H_
