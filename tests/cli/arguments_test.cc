#include "cli/arguments.h"

#include <string>
#include <vector>

#include "cli/usage_error.h"
#include "gtest/gtest.h"

namespace labelloop {
namespace {

const std::vector<std::string> kBooleans = {"json", "by_path"};

Arguments ParseOrDie(std::vector<std::string> words) {
  absl::StatusOr<Arguments> arguments = Arguments::Parse(words, kBooleans);
  EXPECT_TRUE(arguments.ok()) << arguments.status();
  return arguments.ok() ? *arguments : Arguments();
}

TEST(ArgumentsTest, SplitsFlagsAndPositionalsInAnyOrder) {
  Arguments arguments =
      ParseOrDie({"--server=h:1", "queue", "next", "--count", "3", "--json", "--annotator=a b"});
  EXPECT_EQ(arguments.positionals(), (std::vector<std::string>{"queue", "next"}));
  EXPECT_EQ(arguments.Get("server"), "h:1");
  EXPECT_EQ(*arguments.GetInt("count", 1), 3);
  EXPECT_TRUE(*arguments.GetBool("json", false));
  EXPECT_EQ(*arguments.Require("annotator"), "a b");
}

TEST(ArgumentsTest, BooleanFlagDoesNotSwallowTheNextWord) {
  Arguments arguments = ParseOrDie({"images", "add", "--by_path", "/data/a.jpg"});
  EXPECT_EQ(arguments.positionals(), (std::vector<std::string>{"images", "add", "/data/a.jpg"}));
  EXPECT_TRUE(*arguments.GetBool("by_path", false));
  EXPECT_FALSE(*ParseOrDie({"--json=false"}).GetBool("json", true));
}

TEST(ArgumentsTest, KeepsEveryValueOfARepeatedFlag) {
  Arguments arguments = ParseOrDie({"--box=1,2,3,4,a", "--box", "5,6,7,8,b"});
  EXPECT_EQ(arguments.GetAll("box"), (std::vector<std::string>{"1,2,3,4,a", "5,6,7,8,b"}));
  EXPECT_TRUE(arguments.GetAll("missing").empty());
}

TEST(ArgumentsTest, DoubleDashEndsFlags) {
  Arguments arguments = ParseOrDie({"images", "add", "--", "--weird-name.jpg"});
  EXPECT_EQ(arguments.positionals().back(), "--weird-name.jpg");
}

TEST(ArgumentsTest, ValueMayStartWithASingleDash) {
  EXPECT_EQ(ParseOrDie({"--box", "-1,2,3,4,a"}).Get("box"), "-1,2,3,4,a");
}

TEST(ArgumentsTest, MistakesAreUsageErrors) {
  absl::StatusOr<Arguments> no_value = Arguments::Parse({"--count"}, kBooleans);
  ASSERT_FALSE(no_value.ok());
  EXPECT_TRUE(IsUsageError(no_value.status()));

  Arguments arguments = ParseOrDie({"--count=three", "--nope=1"});
  EXPECT_TRUE(IsUsageError(arguments.GetInt("count", 1).status()));
  EXPECT_TRUE(IsUsageError(arguments.Require("annotator").status()));
  absl::Status unknown = arguments.CheckOnly({"count"});
  EXPECT_TRUE(IsUsageError(unknown));
  EXPECT_NE(unknown.message().find("--nope"), absl::string_view::npos);
  EXPECT_FALSE(IsUsageError(absl::InvalidArgumentError("from the server")));
}

TEST(ArgumentsTest, WithoutFirstPositionalDropsTheCommandWord) {
  Arguments arguments = ParseOrDie({"images", "rm", "4", "--json"}).WithoutFirstPositional();
  EXPECT_EQ(arguments.positionals(), (std::vector<std::string>{"rm", "4"}));
  EXPECT_TRUE(arguments.Has("json"));
}

}  // namespace
}  // namespace labelloop
