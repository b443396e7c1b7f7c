#ifndef LABELLOOP_TESTS_AUTH_AUTH_DAEMON_H_
#define LABELLOOP_TESTS_AUTH_AUTH_DAEMON_H_

#include <filesystem>
#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "server/auth/role.h"

namespace labelloop::testing {

// A temporary folder, removed with the object.
class TempFolder {
 public:
  TempFolder();
  ~TempFolder();
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// Writes a tokens file with one token per role (name = the role's name, token = "secret-" +
// the role's name) into `folder`; returns its path.
std::filesystem::path WriteRoleTokens(const std::filesystem::path& folder);
std::string TokenOf(auth::Role role);

// PEM files made by the openssl command line for one test: a CA, a server certificate for
// 127.0.0.1 and localhost, and a client certificate, all signed by the CA.
struct TestCertificates {
  std::filesystem::path ca, server_cert, server_key, client_cert, client_key;
};
absl::StatusOr<TestCertificates> MakeTestCertificates(const std::filesystem::path& folder);

std::string ReadText(const std::filesystem::path& path);

}  // namespace labelloop::testing

#endif  // LABELLOOP_TESTS_AUTH_AUTH_DAEMON_H_
