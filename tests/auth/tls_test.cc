// TLS and mutual TLS from config, with certificates the openssl command line makes per test; the
// CLI's --tls_ca/--tls_cert/--tls_key/--token against a daemon requiring all of them.

#include <grpcpp/grpcpp.h>
#include <grpcpp/security/credentials.h>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "labelloop/v1/dataset.grpc.pb.h"
#include "server/auth/role.h"
#include "tests/auth/auth_daemon.h"
#include "tests/testing/cli_runner.h"
#include "tests/testing/test_daemon.h"

namespace labelloop::testing {
namespace {

using ::testing::HasSubstr;

grpc::Status GetClasses(const std::shared_ptr<grpc::Channel>& channel,
                        const std::string& token = "") {
  v1::DatasetService::Stub stub(channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  if (!token.empty()) context.AddMetadata("authorization", "Bearer " + token);
  v1::GetClassesRequest request;
  v1::GetClassesResponse response;
  return stub.GetClasses(&context, request, &response);
}

std::shared_ptr<grpc::Channel> Channel(const std::string& address,
                                       std::shared_ptr<grpc::ChannelCredentials> credentials) {
  grpc::ChannelArguments arguments;
  arguments.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  return grpc::CreateCustomChannel(address, credentials, arguments);
}

class TlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<TestCertificates> certs = MakeTestCertificates(folder_.path());
    ASSERT_TRUE(certs.ok()) << certs.status();
    certs_ = *certs;
  }

  grpc::SslCredentialsOptions ClientOptions(bool with_certificate) const {
    grpc::SslCredentialsOptions options;
    options.pem_root_certs = ReadText(certs_.ca);
    if (with_certificate) {
      options.pem_cert_chain = ReadText(certs_.client_cert);
      options.pem_private_key = ReadText(certs_.client_key);
    }
    return options;
  }

  std::string ServerTls(bool mutual) const {
    std::string text = absl::StrCat("security {\n  tls_cert_file: \"", certs_.server_cert.string(),
                                    "\"\n  tls_key_file: \"", certs_.server_key.string(), "\"\n");
    if (mutual) absl::StrAppend(&text, "  tls_client_ca_file: \"", certs_.ca.string(), "\"\n");
    return text;
  }

  TempFolder folder_;
  TestCertificates certs_;
};

TEST_F(TlsTest, ServesTlsAndRefusesPlaintext) {
  TestDaemonOptions options;
  options.config_text = ServerTls(false) + "}\n";
  options.credentials = grpc::SslCredentials(ClientOptions(false));
  absl::StatusOr<std::unique_ptr<TestDaemon>> daemon = TestDaemon::Start(options);
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  EXPECT_TRUE(GetClasses((*daemon)->NewChannel()).ok());
  grpc::Status plaintext =
      GetClasses(Channel((*daemon)->address(), grpc::InsecureChannelCredentials()));
  EXPECT_EQ(plaintext.error_code(), grpc::StatusCode::UNAVAILABLE) << plaintext.error_message();
}

TEST_F(TlsTest, MutualTlsRefusesClientsWithoutCertificate) {
  TestDaemonOptions options;
  options.config_text =
      ServerTls(true) + "  tokens_file: \"" + WriteRoleTokens(folder_.path()).string() + "\"\n}\n";
  options.credentials = grpc::SslCredentials(ClientOptions(true));
  absl::StatusOr<std::unique_ptr<TestDaemon>> daemon = TestDaemon::Start(options);
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  const std::string reader = TokenOf(auth::Role::kReader);
  EXPECT_TRUE(GetClasses((*daemon)->NewChannel(), reader).ok());
  // A certificate is not a token: tokens are still checked over mutual TLS.
  EXPECT_EQ(GetClasses((*daemon)->NewChannel()).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  grpc::Status no_certificate =
      GetClasses(Channel((*daemon)->address(), grpc::SslCredentials(ClientOptions(false))), reader);
  EXPECT_EQ(no_certificate.error_code(), grpc::StatusCode::UNAVAILABLE)
      << no_certificate.error_message();

  // The CLI with the same files and token; and without the client certificate.
  CliRunner cli(LABELLOOP_CLI_PATH, (*daemon)->address());
  cli.set_extra_env({"LABELLOOP_TOKEN=" + reader});
  std::string out =
      cli.RunOk({"--tls_ca=" + certs_.ca.string(), "--tls_cert=" + certs_.client_cert.string(),
                 "--tls_key=" + certs_.client_key.string(), "classes", "ls"});
  ProcessResult refused =
      cli.Run({"--tls_ca=" + certs_.ca.string(), "--timeout=5", "classes", "ls"});
  EXPECT_NE(refused.exit_code, 0) << refused.out;
  ProcessResult wrong_token =
      cli.Run({"--tls_ca=" + certs_.ca.string(), "--tls_cert=" + certs_.client_cert.string(),
               "--tls_key=" + certs_.client_key.string(), "--token=nope", "classes", "ls"});
  EXPECT_NE(wrong_token.exit_code, 0);
  EXPECT_THAT(wrong_token.err, HasSubstr("token"));
}

TEST_F(TlsTest, HalfATlsSetupIsAnError) {
  TestDaemonOptions options;
  options.config_text =
      absl::StrCat("security { tls_key_file: \"", certs_.server_key.string(), "\" }\n");
  options.ready_timeout = absl::Seconds(20);
  absl::StatusOr<std::unique_ptr<TestDaemon>> daemon = TestDaemon::Start(options);
  ASSERT_FALSE(daemon.ok());
  EXPECT_THAT(daemon.status().message(), HasSubstr("security.tls_cert_file"));
}

}  // namespace
}  // namespace labelloop::testing
