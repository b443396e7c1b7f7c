#include "common/config_loader.h"

#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace labelloop {
namespace {

using ::testing::HasSubstr;

TEST(ConfigLoaderTest, EmptyConfigGivesDefaults) {
  absl::StatusOr<v1::DaemonConfig> config = ParseConfig("", "test");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->server().listen(), "127.0.0.1:50051");
  EXPECT_EQ(config->queue().default_lease_seconds(), 900);
  EXPECT_EQ(config->detector().backbone(), "resnet18");
  EXPECT_GT(config->limits().max_image_bytes(), 0);
}

TEST(ConfigLoaderTest, ReadsSetFields) {
  absl::StatusOr<v1::DaemonConfig> config = ParseConfig(
      "queue { shuffle_seed: 7 default_lease_seconds: 60 }\nlimits { max_batch_count: 8 }", "test");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->queue().shuffle_seed(), 7u);
  EXPECT_EQ(config->queue().default_lease_seconds(), 60);
  EXPECT_EQ(config->limits().max_batch_count(), 8);
}

TEST(ConfigLoaderTest, UnknownFieldIsNamedWithItsPosition) {
  absl::Status status = ParseConfig("queue {\n  shuffle_sed: 3\n}", "my.textproto").status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("my.textproto"));
  EXPECT_THAT(status.message(), HasSubstr("line 2"));
  EXPECT_THAT(status.message(), HasSubstr("shuffle_sed"));
}

TEST(ConfigLoaderTest, BadValueIsNamed) {
  absl::Status status = ParseConfig("limits { max_batch_count: 0 }", "c").status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("limits.max_batch_count"));

  status = ParseConfig("store { validation_share: 1.5 }", "c").status();
  EXPECT_THAT(status.message(), HasSubstr("store.validation_share"));

  status = ParseConfig("queue { default_lease_seconds: 100 max_lease_seconds: 50 }", "c").status();
  EXPECT_THAT(status.message(), HasSubstr("queue.default_lease_seconds"));

  status = ParseConfig("training { optimizer: \"adam\" }", "c").status();
  EXPECT_THAT(status.message(), HasSubstr("training.optimizer"));

  status = ParseConfig("sampler { strategy: \"coreset\" }", "c").status();
  EXPECT_THAT(status.message(), HasSubstr("sampler.strategy"));

  status = ParseConfig("sampler { box_cost: -1 }", "c").status();
  EXPECT_THAT(status.message(), HasSubstr("sampler.box_cost"));

  status = ParseConfig("sampler { hybrid_uncertainty: \"bald\" }", "c").status();
  EXPECT_THAT(status.message(), HasSubstr("sampler.hybrid_uncertainty must be one of"));
  status =
      ParseConfig("sampler { strategy: \"entropy\" hybrid_uncertainty: \"tta\" }", "c").status();
  EXPECT_THAT(status.message(), HasSubstr("sampler.hybrid_uncertainty is for the hybrid strategy"));
  EXPECT_TRUE(ParseConfig("sampler { hybrid_uncertainty: \"tta\" }", "c").ok());

  status = ParseConfig("training { augmentation { scale_min: 1.5 scale_max: 1.2 } }", "c").status();
  EXPECT_THAT(status.message(), HasSubstr("training.augmentation.scale_max"));
}

TEST(ConfigLoaderTest, CallLimitsAreRangeChecked) {
  // 0 turns a limit off and is accepted; anything negative or absurd names its field.
  absl::StatusOr<v1::DaemonConfig> off = ParseConfig(
      "limits { max_concurrent_streams: 0 requests_per_second: 0 request_burst: 0 }", "c");
  ASSERT_TRUE(off.ok()) << off.status();

  struct Case {
    const char* text;
    const char* field;
  };
  for (const Case& c : std::vector<Case>{
           {"limits { max_concurrent_streams: -1 }", "limits.max_concurrent_streams"},
           {"limits { max_concurrent_streams: 2000000 }", "limits.max_concurrent_streams"},
           {"limits { requests_per_second: -5 }", "limits.requests_per_second"},
           {"limits { requests_per_second: nan }", "limits.requests_per_second"},
           {"limits { requests_per_second: inf }", "limits.requests_per_second"},
           {"limits { requests_per_second: 1e9 }", "limits.requests_per_second"},
           {"limits { request_burst: -1 }", "limits.request_burst"},
           {"limits { requests_per_second: 10 request_burst: 0 }", "limits.request_burst"},
       }) {
    absl::Status status = ParseConfig(c.text, "c").status();
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << c.text;
    EXPECT_THAT(status.message(), HasSubstr(c.field)) << c.text;
  }
}

TEST(ConfigLoaderTest, WrongTypeIsASyntaxError) {
  absl::Status status = ParseConfig("queue { shuffle_seed: \"abc\" }", "c").status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("line 1"));
}

TEST(ConfigLoaderTest, MissingFileIsNamed) {
  absl::Status status = LoadConfig("/nonexistent/labelloop.textproto").status();
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(status.message(), HasSubstr("/nonexistent/labelloop.textproto"));
}

TEST(ConfigLoaderTest, AutoLabelIsOffByDefaultAndRangeChecked) {
  absl::StatusOr<v1::DaemonConfig> config = ParseConfig("", "c");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_FALSE(config->autolabel().enabled());
  EXPECT_FLOAT_EQ(config->autolabel().target_precision(), 0.95f);
  EXPECT_EQ(config->autolabel().min_support(), 20);

  absl::Status status = ParseConfig("autolabel { target_precision: 1.5 }", "c").status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("autolabel.target_precision"));
  status = ParseConfig("autolabel { min_support: 0 }", "c").status();
  EXPECT_THAT(status.message(), HasSubstr("autolabel.min_support"));
  status = ParseConfig("autolabel { iou_threshold: 0 }", "c").status();
  EXPECT_THAT(status.message(), HasSubstr("autolabel.iou_threshold"));
  status = ParseConfig("autolabel { review_share: 1.5 }", "c").status();
  EXPECT_THAT(status.message(), HasSubstr("autolabel.review_share"));
  EXPECT_FLOAT_EQ(ParseConfig("", "c")->autolabel().review_share(), 0.1f);
  EXPECT_TRUE(ParseConfig("autolabel { enabled: true target_precision: 0.9 }", "c").ok());
}

}  // namespace
}  // namespace labelloop
