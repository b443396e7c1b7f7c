#include "common/config_loader.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace labelloop {
namespace {

using ::testing::HasSubstr;

TEST(SuspectConfigTest, OnByDefaultAndRangeChecked) {
  absl::StatusOr<v1::DaemonConfig> config = ParseConfig("", "c");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_TRUE(config->suspects().enabled());
  EXPECT_FLOAT_EQ(config->suspects().min_score(), 0.5f);
  EXPECT_FLOAT_EQ(config->suspects().match_iou(), 0.3f);
  EXPECT_FLOAT_EQ(config->suspects().fit_iou(), 0.6f);

  const std::pair<const char*, const char*> bad[] = {
      {"suspects { min_score: 0 }", "suspects.min_score"},
      {"suspects { support_score: 0.7 }", "suspects.support_score"},
      {"suspects { match_iou: 0.6 }", "suspects.match_iou"},
      {"suspects { fit_iou: 1.5 }", "suspects.fit_iou"},
      {"suspects { max_per_image: 0 }", "suspects.max_per_image"},
  };
  for (const auto& [text, field] : bad) {
    absl::Status status = ParseConfig(text, "c").status();
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << text;
    EXPECT_THAT(status.message(), HasSubstr(field)) << text;
  }
  EXPECT_TRUE(ParseConfig("suspects { enabled: false min_score: 0.8 fit_iou: 0.7 }", "c").ok());
}

}  // namespace
}  // namespace labelloop
