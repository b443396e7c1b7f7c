// CallAdmission's decisions (token, role, rate, streams), the rate limiter's buckets and the
// annotator identity rule, without a daemon.

#include "server/auth/call_admission.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/auth/annotator_identity.h"
#include "server/auth/token_file.h"
#include "server/limits/request_rate_limiter.h"

namespace labelloop::auth {
namespace {

using ::testing::HasSubstr;

constexpr char kSubmit[] = "/labelloop.v1.QueueService/SubmitLabels";
constexpr char kWatch[] = "/labelloop.v1.TrainingService/WatchJob";
constexpr char kHealth[] = "/grpc.health.v1.Health/Check";

TokenFile Tokens() {
  std::string text = *TokenFileLine("ann", "annotator", "annotator-token-0123") + "\n" +
                     *TokenFileLine("bob", "reader", "reader-token-012345") + "\n";
  return *TokenFile::Parse(text, "test");
}

TEST(RequestRateLimiterTest, BurstThenSteadyRatePerCaller) {
  ManualClock clock(1000);
  RequestRateLimiter limiter(/*per_second=*/10, /*burst=*/3, &clock);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(limiter.Acquire("a"), 0) << i;
  EXPECT_EQ(limiter.Acquire("a"), 100);  // One token per 100 ms.
  EXPECT_EQ(limiter.Acquire("b"), 0);    // Callers do not share a bucket.
  clock.AdvanceMs(60);
  EXPECT_EQ(limiter.Acquire("a"), 40);
  clock.AdvanceMs(40);
  EXPECT_EQ(limiter.Acquire("a"), 0);
  clock.AdvanceMs(60000);  // Refills to the burst, not beyond.
  for (int i = 0; i < 3; ++i) EXPECT_EQ(limiter.Acquire("a"), 0) << i;
  EXPECT_GT(limiter.Acquire("a"), 0);
}

TEST(RequestRateLimiterTest, ZeroRateIsUnlimited) {
  ManualClock clock(0);
  RequestRateLimiter limiter(0, 1, &clock);
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(limiter.Acquire("a"), 0);
}

TEST(CallAdmissionTest, WithoutTokensEverythingIsAllowed) {
  ManualClock clock(0);
  CallAdmission admission(std::nullopt, v1::LimitsConfig(), &clock);
  CallAdmission::Decision decision = admission.Decide(kSubmit, false, std::nullopt, "ipv4:x");
  EXPECT_TRUE(decision.verdict.status.ok());
  EXPECT_FALSE(decision.verdict.caller.has_value());
}

TEST(CallAdmissionTest, TokensDecideWhoAndWhat) {
  ManualClock clock(0);
  CallAdmission admission(Tokens(), v1::LimitsConfig(), &clock);
  EXPECT_EQ(admission.Decide(kSubmit, false, std::nullopt, "p").verdict.status.code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(admission.Decide(kSubmit, false, "Bearer nope", "p").verdict.status.code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(admission.Decide(kSubmit, false, "Basic annotator-token-0123", "p").verdict.status.code(),
            absl::StatusCode::kUnauthenticated);
  CallAdmission::Decision ok = admission.Decide(kSubmit, false, "Bearer annotator-token-0123", "p");
  EXPECT_TRUE(ok.verdict.status.ok());
  EXPECT_EQ(ok.verdict.caller, "ann");
  EXPECT_EQ(ok.verdict.role, Role::kAnnotator);
  CallAdmission::Decision denied = admission.Decide(kSubmit, false, "Bearer reader-token-012345", "p");
  EXPECT_EQ(denied.verdict.status.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(denied.verdict.status.message(), HasSubstr("\"bob\" has role reader"));
  // Unknown methods are denied even to a valid token; public ones need none.
  EXPECT_EQ(admission.Decide("/labelloop.v1.QueueService/Nope", false, "Bearer annotator-token-0123", "p")
                .verdict.status.code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(admission.Decide(kHealth, false, std::nullopt, "p").verdict.status.ok());
}

TEST(CallAdmissionTest, StreamsAreCountedUntilReleased) {
  ManualClock clock(0);
  v1::LimitsConfig limits;
  limits.set_max_concurrent_streams(1);
  CallAdmission admission(std::nullopt, limits, &clock);
  CallAdmission::Decision first = admission.Decide(kWatch, true, std::nullopt, "p");
  EXPECT_TRUE(first.verdict.status.ok());
  EXPECT_TRUE(first.holds_stream);
  EXPECT_TRUE(admission.Decide(kSubmit, false, std::nullopt, "p").verdict.status.ok());
  CallAdmission::Decision second = admission.Decide(kWatch, true, std::nullopt, "q");
  EXPECT_EQ(second.verdict.status.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_FALSE(second.holds_stream);
  admission.ReleaseStream();
  EXPECT_TRUE(admission.Decide(kWatch, true, std::nullopt, "q").verdict.status.ok());
}

TEST(CallAdmissionTest, RateIsPerTokenNotPerConnection) {
  ManualClock clock(0);
  v1::LimitsConfig limits;
  limits.set_requests_per_second(1);
  limits.set_request_burst(2);
  CallAdmission admission(Tokens(), limits, &clock);
  EXPECT_TRUE(admission.Decide(kSubmit, false, "Bearer annotator-token-0123", "conn1").verdict.status.ok());
  EXPECT_TRUE(admission.Decide(kSubmit, false, "Bearer annotator-token-0123", "conn2").verdict.status.ok());
  CallAdmission::Decision limited = admission.Decide(kSubmit, false, "Bearer annotator-token-0123", "conn3");
  EXPECT_EQ(limited.verdict.status.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(limited.verdict.retry_after_ms, 1000);
  // The health check is never limited.
  EXPECT_TRUE(admission.Decide(kHealth, false, std::nullopt, "conn3").verdict.status.ok());
}

TEST(ActingAnnotatorTest, AnnotatorsActAsThemselves) {
  Caller ann{"ann", Role::kAnnotator};
  Caller eng{"eve", Role::kEngineer};
  EXPECT_EQ(*ActingAnnotator(ann, ""), "ann");
  EXPECT_EQ(*ActingAnnotator(ann, "ann"), "ann");
  EXPECT_EQ(ActingAnnotator(ann, "bob").status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(*ActingAnnotator(eng, ""), "eve");
  EXPECT_EQ(*ActingAnnotator(eng, "bob"), "bob");
  EXPECT_EQ(*ActingAnnotator(std::nullopt, "anyone"), "anyone");
  EXPECT_EQ(*ActingAnnotator(std::nullopt, ""), "");
}

}  // namespace
}  // namespace labelloop::auth
