#include "tests/auth/auth_daemon.h"

#include <stdlib.h>

#include <fstream>
#include <sstream>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "server/auth/token_file.h"
#include "tests/testing/run_process.h"

namespace labelloop::testing {

TempFolder::TempFolder() {
  std::string pattern = (std::filesystem::temp_directory_path() / "labelloop-auth-XXXXXX").string();
  char* made = mkdtemp(pattern.data());
  if (made != nullptr) path_ = made;
}

TempFolder::~TempFolder() {
  std::error_code ignored;
  if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
}

std::string TokenOf(auth::Role role) { return absl::StrCat("secret-token-of-", auth::RoleName(role)); }

std::filesystem::path WriteRoleTokens(const std::filesystem::path& folder) {
  std::filesystem::path path = folder / "tokens";
  std::ofstream out(path);
  out << "# name role sha256\n";
  for (auth::Role role : auth::kAllRoles) {
    out << *auth::TokenFileLine(auth::RoleName(role), auth::RoleName(role), TokenOf(role)) << "\n";
  }
  return path;
}

std::string ReadText(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

namespace {

absl::Status Openssl(std::vector<std::string> arguments) {
  arguments.insert(arguments.begin(), "/usr/bin/openssl");
  absl::StatusOr<ProcessResult> result = RunProcess(arguments, absl::Seconds(30));
  if (!result.ok()) return result.status();
  if (result->exit_code != 0) {
    return absl::InternalError(absl::StrCat("openssl ", arguments[1], " failed: ", result->err));
  }
  return absl::OkStatus();
}

// A key and a certificate for `subject` signed by the CA in `folder`, with `extensions`.
absl::Status SignedPair(const std::filesystem::path& folder, const std::string& name,
                        const std::string& subject, const std::string& extensions) {
  std::string base = (folder / name).string();
  if (absl::Status status =
          Openssl({"req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                   "-keyout", base + ".key", "-out", base + ".csr", "-subj", subject});
      !status.ok()) {
    return status;
  }
  std::ofstream(base + ".ext") << extensions << "\n";
  return Openssl({"x509", "-req", "-in", base + ".csr", "-CA", (folder / "ca.pem").string(),
                  "-CAkey", (folder / "ca.key").string(), "-CAcreateserial", "-days", "2",
                  "-extfile", base + ".ext", "-out", base + ".pem"});
}

}  // namespace

absl::StatusOr<TestCertificates> MakeTestCertificates(const std::filesystem::path& folder) {
  if (absl::Status status =
          Openssl({"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                   "-nodes", "-keyout", (folder / "ca.key").string(), "-out",
                   (folder / "ca.pem").string(), "-days", "2", "-subj", "/CN=labelloop test CA"});
      !status.ok()) {
    return status;
  }
  if (absl::Status status =
          SignedPair(folder, "server", "/CN=localhost",
                     "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth");
      !status.ok()) {
    return status;
  }
  if (absl::Status status =
          SignedPair(folder, "client", "/CN=annotation-tool", "extendedKeyUsage=clientAuth");
      !status.ok()) {
    return status;
  }
  return TestCertificates{folder / "ca.pem", folder / "server.pem", folder / "server.key",
                          folder / "client.pem", folder / "client.key"};
}

}  // namespace labelloop::testing
