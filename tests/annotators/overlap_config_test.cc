// OverlapConfig: defaults keep every image single-labeled; bad values name the field.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/config_loader.h"
#include "common/overlap_rule.h"

namespace labelloop {
namespace {

using ::testing::HasSubstr;

TEST(OverlapConfigTest, DefaultsSelectNoImage) {
  absl::StatusOr<v1::DaemonConfig> config = ParseConfig("", "test");
  ASSERT_TRUE(config.ok()) << config.status();
  OverlapRule rule = OverlapRule::FromConfig(config->overlap());
  EXPECT_FALSE(rule.enabled());
  for (int64_t id = 1; id <= 1000; ++id) EXPECT_FALSE(rule.Selects(id));
}

TEST(OverlapConfigTest, ShareSelectsAboutThatShareDeterministically) {
  absl::StatusOr<v1::DaemonConfig> config =
      ParseConfig("overlap { share: 0.25 annotators: 3 }", "test");
  ASSERT_TRUE(config.ok()) << config.status();
  OverlapRule rule = OverlapRule::FromConfig(config->overlap());
  EXPECT_EQ(rule.annotators, 3);
  int selected = 0;
  for (int64_t id = 1; id <= 10000; ++id) selected += rule.Selects(id) ? 1 : 0;
  EXPECT_NEAR(selected / 10000.0, 0.25, 0.02);
  for (int64_t id = 1; id <= 100; ++id) EXPECT_EQ(rule.Selects(id), rule.Selects(id));
  OverlapRule all = rule;
  all.share = 1.0;
  EXPECT_TRUE(all.Selects(12345));
}

TEST(OverlapConfigTest, BadValuesNameTheField) {
  struct Case {
    const char* text;
    const char* field;
  };
  for (const Case& c : {Case{"overlap { share: 1.5 }", "overlap.share"},
                        Case{"overlap { share: -0.1 }", "overlap.share"},
                        Case{"overlap { annotators: 1 }", "overlap.annotators"},
                        Case{"overlap { annotators: 17 }", "overlap.annotators"},
                        Case{"overlap { match_iou: 0 }", "overlap.match_iou"},
                        Case{"overlap { review_below: 1.2 }", "overlap.review_below"}}) {
    absl::StatusOr<v1::DaemonConfig> config = ParseConfig(c.text, "test");
    ASSERT_FALSE(config.ok()) << c.text;
    EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(config.status().message(), HasSubstr(c.field)) << c.text;
  }
}

}  // namespace
}  // namespace labelloop
