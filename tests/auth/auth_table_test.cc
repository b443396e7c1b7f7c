// The permission table, roles and tokens file of server/auth.

#include <set>
#include <string>

#include "common/sha256.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/auth/authorizer.h"
#include "server/auth/listen_policy.h"
#include "server/auth/method_permissions.h"
#include "server/auth/role.h"
#include "server/auth/token_file.h"
#include "tests/auth/api_methods.h"

namespace labelloop::auth {
namespace {

using ::testing::HasSubstr;

TEST(MethodPermissionsTest, EveryApiMethodIsInTheTable) {
  std::vector<labelloop::testing::ApiMethod> methods = labelloop::testing::LabelloopApiMethods();
  for (const labelloop::testing::ApiMethod& method : methods) {
    EXPECT_TRUE(RuleForMethod(method.full_name).has_value())
        << method.full_name << " is missing from the table";
  }
  EXPECT_GE(methods.size(), 29u);
}

TEST(MethodPermissionsTest, UnknownMethodsAreNotInTheTable) {
  EXPECT_FALSE(RuleForMethod("/labelloop.v1.QueueService/DropEverything").has_value());
  EXPECT_FALSE(RuleForMethod("").has_value());
  // Only gRPC's own services (health check, reflection) are public.
  for (const std::string& method : TableMethods()) {
    std::optional<MethodRule> rule = RuleForMethod(method);
    ASSERT_TRUE(rule.has_value());
    EXPECT_EQ(rule->access == Access::kPublic, method.rfind("/grpc.", 0) == 0) << method;
  }
}

TEST(RoleTest, RolesGrantWhatTheIssueSays) {
  EXPECT_TRUE(RoleGrants(Role::kAnnotator, Permission::kQueue));
  EXPECT_FALSE(RoleGrants(Role::kAnnotator, Permission::kReview));
  EXPECT_FALSE(RoleGrants(Role::kAnnotator, Permission::kRead));
  EXPECT_FALSE(RoleGrants(Role::kAnnotator, Permission::kEngineer));
  EXPECT_TRUE(RoleGrants(Role::kReviewer, Permission::kQueue));
  EXPECT_TRUE(RoleGrants(Role::kReviewer, Permission::kReview));
  EXPECT_FALSE(RoleGrants(Role::kReviewer, Permission::kEngineer));
  EXPECT_TRUE(RoleGrants(Role::kReader, Permission::kRead));
  EXPECT_FALSE(RoleGrants(Role::kReader, Permission::kQueue));
  EXPECT_FALSE(RoleGrants(Role::kReader, Permission::kEngineer));
  EXPECT_TRUE(RoleGrants(Role::kEngineer, Permission::kEngineer));
  EXPECT_TRUE(RoleGrants(Role::kEngineer, Permission::kRead));
  EXPECT_FALSE(RoleGrants(Role::kEngineer, Permission::kAdmin));
  for (Role role : kAllRoles) {
    EXPECT_TRUE(RoleGrants(role, Permission::kAnyRole)) << RoleName(role);
    EXPECT_TRUE(RoleGrants(Role::kAdmin, static_cast<Permission>(static_cast<int>(role))));
    absl::StatusOr<Role> parsed = ParseRole(RoleName(role));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, role);
  }
  EXPECT_FALSE(ParseRole("root").ok());
}

TEST(TokenFileTest, FindsTokensByHash) {
  absl::StatusOr<std::string> ann = TokenFileLine("ann", "annotator", "ann-secret-0123456789");
  absl::StatusOr<std::string> eng = TokenFileLine("eve", "engineer", "eve-secret-0123456789");
  ASSERT_TRUE(ann.ok() && eng.ok());
  EXPECT_THAT(*ann, ::testing::Not(HasSubstr("secret")));
  absl::StatusOr<TokenFile> file =
      TokenFile::Parse("# team tokens\n\n" + *ann + "\n  " + *eng + "  \n", "tokens");
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_EQ(file->size(), 2u);
  std::optional<TokenIdentity> who = file->Find("ann-secret-0123456789");
  ASSERT_TRUE(who.has_value());
  EXPECT_EQ(who->name, "ann");
  EXPECT_EQ(who->role, Role::kAnnotator);
  EXPECT_EQ(file->Find("eve-secret-0123456789")->role, Role::kEngineer);
  EXPECT_FALSE(file->Find("eve-secret-012345678").has_value());
  EXPECT_FALSE(file->Find("").has_value());
  // The stored hash itself is not a token.
  EXPECT_FALSE(file->Find(Sha256Hex("ann-secret-0123456789")).has_value());
}

TEST(TokenFileTest, BadLinesNameTheLine) {
  const std::string hash = Sha256Hex("x");
  auto error = [](const std::string& text) {
    absl::StatusOr<TokenFile> file = TokenFile::Parse(text, "tokens.txt");
    EXPECT_FALSE(file.ok()) << text;
    return std::string(file.status().message());
  };
  EXPECT_THAT(error("a annotator\n"), HasSubstr("tokens.txt:1: expected"));
  EXPECT_THAT(error("\na root " + hash), HasSubstr("tokens.txt:2: unknown role \"root\""));
  EXPECT_THAT(error("a reader abc"), HasSubstr("64 hex digits"));
  EXPECT_THAT(error("a reader " + hash + "\nb admin " + hash), HasSubstr("same token as \"a\""));
  EXPECT_FALSE(TokenFile::Load("/nonexistent/tokens").ok());
  EXPECT_FALSE(TokenFileLine("a b", "reader", "0123456789abcdef").ok());
  EXPECT_FALSE(TokenFileLine("a", "reader", "short").ok());
}

TEST(BearerTokenTest, ParsesTheAuthorizationValue) {
  EXPECT_EQ(BearerToken("Bearer abc").value_or(""), "abc");
  EXPECT_EQ(BearerToken("bearer  abc ").value_or(""), "abc");
  EXPECT_FALSE(BearerToken("Basic abc").has_value());
  EXPECT_FALSE(BearerToken("Bearer ").has_value());
  EXPECT_FALSE(BearerToken("").has_value());
}

// Every table method against every role: allowed exactly when the role grants the method's
// permission; no or bad tokens are UNAUTHENTICATED; methods outside the table are denied.
TEST(AuthorizerTest, WalksTheMethodRoleMatrix) {
  std::string text;
  for (Role role : kAllRoles) {
    text += *TokenFileLine(RoleName(role), RoleName(role),
                           std::string(RoleName(role)) + "-token-0123456789") +
            "\n";
  }
  absl::StatusOr<TokenFile> tokens = TokenFile::Parse(text, "tokens");
  ASSERT_TRUE(tokens.ok()) << tokens.status();
  for (const std::string& method : TableMethods()) {
    const MethodRule rule = *RuleForMethod(method);
    for (Role role : kAllRoles) {
      const std::string header = "Bearer " + std::string(RoleName(role)) + "-token-0123456789";
      absl::StatusOr<std::optional<TokenIdentity>> decision = Authorize(*tokens, method, header);
      if (rule.access == Access::kPublic || RoleGrants(role, rule.permission)) {
        EXPECT_TRUE(decision.ok())
            << method << " as " << RoleName(role) << ": " << decision.status();
      } else {
        EXPECT_EQ(decision.status().code(), absl::StatusCode::kPermissionDenied)
            << method << " as " << RoleName(role);
      }
    }
    absl::StatusOr<std::optional<TokenIdentity>> anonymous =
        Authorize(*tokens, method, std::nullopt);
    absl::StatusOr<std::optional<TokenIdentity>> forged =
        Authorize(*tokens, method, "Bearer admin-token-012345678");
    if (rule.access == Access::kPublic) {
      EXPECT_TRUE(anonymous.ok() && !anonymous->has_value()) << method;
    } else {
      EXPECT_EQ(anonymous.status().code(), absl::StatusCode::kUnauthenticated) << method;
      EXPECT_EQ(forged.status().code(), absl::StatusCode::kUnauthenticated) << method;
    }
  }
  absl::StatusOr<std::optional<TokenIdentity>> annotator = Authorize(
      *tokens, "/labelloop.v1.QueueService/SubmitLabels", "Bearer annotator-token-0123456789");
  ASSERT_TRUE(annotator.ok() && annotator->has_value());
  EXPECT_EQ((*annotator)->name, "annotator");
  absl::StatusOr<std::optional<TokenIdentity>> unknown = Authorize(
      *tokens, "/labelloop.v1.QueueService/DropEverything", "Bearer admin-token-0123456789");
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(unknown.status().message(), HasSubstr("no entry in the permission table"));
}

TEST(ListenPolicyTest, BeyondLoopbackNeedsTlsAndTokensOrInsecure) {
  for (const char* local : {"127.0.0.1:50051", "127.1.2.3:0", "localhost:1", "[::1]:50051",
                            "unix:/tmp/labelloop.sock"}) {
    EXPECT_TRUE(IsLoopbackListen(local)) << local;
    EXPECT_TRUE(CheckListenPolicy(local, {}).ok()) << local;
  }
  for (const char* remote : {"0.0.0.0:50051", "[::]:50051", "10.0.0.5:1", "example.com:443",
                             "127.0.0.1.example.com:1"}) {
    EXPECT_FALSE(IsLoopbackListen(remote)) << remote;
    absl::Status refused = CheckListenPolicy(remote, {});
    EXPECT_EQ(refused.code(), absl::StatusCode::kFailedPrecondition) << remote;
    EXPECT_THAT(refused.message(), HasSubstr("--insecure"));
    EXPECT_THAT(CheckListenPolicy(remote, {.tls = true}).message(), HasSubstr("without tokens"));
    EXPECT_THAT(CheckListenPolicy(remote, {.tokens = true}).message(), HasSubstr("without TLS;"));
    EXPECT_TRUE(CheckListenPolicy(remote, {.tls = true, .tokens = true}).ok());
    EXPECT_TRUE(CheckListenPolicy(remote, {.insecure_allowed = true}).ok());
  }
}

}  // namespace
}  // namespace labelloop::auth
