// Every RPC of every labelloop service x every role (and no token, and a wrong token), over real
// gRPC on loopback against labelloopd with a tokens file: denied calls are PERMISSION_DENIED or
// UNAUTHENTICATED, allowed ones pass admission (an empty request may still fail validation).

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "labelloop/v1/queue.grpc.pb.h"
#include "server/auth/method_permissions.h"
#include "server/auth/role.h"
#include "tests/auth/api_methods.h"
#include "tests/auth/auth_daemon.h"
#include "tests/auth/raw_call.h"
#include "tests/testing/test_daemon.h"

namespace labelloop::testing {
namespace {

using ::testing::HasSubstr;

bool IsAuthDenial(grpc::StatusCode code) {
  return code == grpc::StatusCode::PERMISSION_DENIED || code == grpc::StatusCode::UNAUTHENTICATED;
}

class RpcMatrixTest : public ::testing::Test {
 protected:
  void SetUp() override {
    TestDaemonOptions options;
    options.config_text = absl::StrCat("security { tokens_file: \"",
                                       WriteRoleTokens(folder_.path()).string(), "\" }\n");
    absl::StatusOr<std::unique_ptr<TestDaemon>> daemon = TestDaemon::Start(options);
    ASSERT_TRUE(daemon.ok()) << daemon.status();
    daemon_ = *std::move(daemon);
    channel_ = daemon_->NewChannel();
  }

  TempFolder folder_;
  std::unique_ptr<TestDaemon> daemon_;
  std::shared_ptr<grpc::Channel> channel_;
};

TEST_F(RpcMatrixTest, EveryMethodTimesEveryRole) {
  std::vector<ApiMethod> methods = LabelloopApiMethods();
  methods.push_back({"/grpc.health.v1.Health/Check", false, false});
  ASSERT_GE(methods.size(), 29u);
  int allowed = 0, denied = 0;
  for (const ApiMethod& method : methods) {
    SCOPED_TRACE(method.full_name);
    std::optional<auth::MethodRule> rule = auth::RuleForMethod(method.full_name);
    ASSERT_TRUE(rule.has_value()) << method.full_name
                                  << " has no entry in server/auth/method_permissions.cc";
    const bool is_public = rule->access == auth::Access::kPublic;

    for (const char* token : {"", "not-a-token"}) {
      RawCallResult result =
          CallWithEmptyRequest(channel_, method.full_name, token, method.server_streaming);
      if (is_public) {
        EXPECT_FALSE(IsAuthDenial(result.status.error_code())) << result.status.error_message();
      } else {
        EXPECT_EQ(result.status.error_code(), grpc::StatusCode::UNAUTHENTICATED)
            << "token \"" << token << "\": " << result.status.error_message();
        EXPECT_FALSE(result.got_message);
      }
    }
    for (auth::Role role : auth::kAllRoles) {
      SCOPED_TRACE(auth::RoleName(role));
      RawCallResult result =
          CallWithEmptyRequest(channel_, method.full_name, TokenOf(role), method.server_streaming);
      if (is_public || auth::RoleGrants(role, rule->permission)) {
        ++allowed;
        EXPECT_FALSE(IsAuthDenial(result.status.error_code())) << result.status.error_message();
        // INTERNAL would be a handler that skipped its admission check, or a crash.
        EXPECT_NE(result.status.error_code(), grpc::StatusCode::INTERNAL)
            << result.status.error_message();
        EXPECT_NE(result.status.error_code(), grpc::StatusCode::UNIMPLEMENTED)
            << "service not registered in server/daemon.cc?";
      } else {
        ++denied;
        EXPECT_EQ(result.status.error_code(), grpc::StatusCode::PERMISSION_DENIED)
            << result.status.error_message();
        EXPECT_THAT(result.status.error_message(), HasSubstr(auth::RoleName(role)));
        EXPECT_FALSE(result.got_message);
      }
    }
  }
  EXPECT_GT(allowed, 0);
  EXPECT_GT(denied, 0);
  EXPECT_THAT(daemon_->Log(), ::testing::Not(HasSubstr("without checking the call's admission")));
}

// An annotator token acts only as itself: naming another annotator is refused, leaving the
// field empty takes work as the token's holder; an engineer's tool may hand out work for others.
TEST_F(RpcMatrixTest, AnnotatorCannotClaimAnotherName) {
  v1::QueueService::Stub stub(channel_);
  auto next_batch = [&](auth::Role role, const std::string& annotator) {
    grpc::ClientContext context;
    context.AddMetadata("authorization", "Bearer " + TokenOf(role));
    v1::GetNextBatchRequest request;
    request.set_count(1);
    request.set_annotator(annotator);
    v1::GetNextBatchResponse response;
    return stub.GetNextBatch(&context, request, &response);
  };
  grpc::Status status = next_batch(auth::Role::kAnnotator, "someone-else");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED) << status.error_message();
  EXPECT_THAT(status.error_message(), HasSubstr("acts only as itself"));
  EXPECT_TRUE(next_batch(auth::Role::kAnnotator, "").ok());
  EXPECT_TRUE(next_batch(auth::Role::kAnnotator, "annotator").ok());
  EXPECT_TRUE(next_batch(auth::Role::kEngineer, "someone-else").ok());
}

}  // namespace
}  // namespace labelloop::testing
