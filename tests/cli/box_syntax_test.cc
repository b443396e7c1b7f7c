#include "cli/box_syntax.h"

#include <cmath>

#include "cli/usage_error.h"
#include "gtest/gtest.h"

namespace labelloop {
namespace {

TEST(BoxSyntaxTest, ParsesCornersAndClass) {
  absl::StatusOr<v1::Box> box = ParseBox("10,20.5,30,40,WBC");
  ASSERT_TRUE(box.ok()) << box.status();
  EXPECT_FLOAT_EQ(box->x1(), 10);
  EXPECT_FLOAT_EQ(box->y1(), 20.5);
  EXPECT_FLOAT_EQ(box->x2(), 30);
  EXPECT_FLOAT_EQ(box->y2(), 40);
  EXPECT_EQ(box->class_name(), "WBC");
}

TEST(BoxSyntaxTest, ClassMayHoldCommasAndSpacesAreTrimmed) {
  absl::StatusOr<v1::Box> box = ParseBox(" 1, 2 ,3,4, traffic light, red ");
  ASSERT_TRUE(box.ok()) << box.status();
  EXPECT_EQ(box->class_name(), "traffic light, red");
}

TEST(BoxSyntaxTest, LeavesValueChecksToTheDaemon) {
  // Syntax only: a NaN or an inverted box is for the daemon to refuse, with its rules.
  absl::StatusOr<v1::Box> box = ParseBox("nan,2,1,0,x");
  ASSERT_TRUE(box.ok()) << box.status();
  EXPECT_TRUE(std::isnan(box->x1()));
}

TEST(BoxSyntaxTest, BadSyntaxIsAUsageErrorNamingTheBox) {
  for (const char* text : {"1,2,3,WBC", "1,2,3,4", "1,2,3,4,", "a,2,3,4,WBC", "", "1,,3,4,c"}) {
    absl::StatusOr<v1::Box> box = ParseBox(text);
    ASSERT_FALSE(box.ok()) << text;
    EXPECT_TRUE(IsUsageError(box.status())) << text;
    EXPECT_NE(box.status().message().find(std::string("'") + text + "'"), absl::string_view::npos)
        << box.status();
  }
}

}  // namespace
}  // namespace labelloop
