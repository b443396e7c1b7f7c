#include "inference/pth_unpickler.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace labelloop {
namespace {

using ::testing::HasSubstr;
using Kind = PickleValue::Kind;

// Protocol-2 header.
std::string Pickle(const std::string& body) { return std::string("\x80\x02", 2) + body + "."; }

TEST(UnpickleTest, ScalarsAndContainers) {
  // (-2 as LONG1, 1.5 as BINFLOAT, "ab", [True]) as a tuple.
  const std::string body = std::string("(") + "\x8a\x01\xfe" +
                           std::string("G\x3f\xf8\0\0\0\0\0\0", 9) + "X" +
                           std::string("\x02\0\0\0", 4) + "ab" + "]\x88" + "a" + "t";
  size_t offset = 0;
  auto value = Unpickle(Pickle(body), &offset);
  ASSERT_TRUE(value.ok()) << value.status();
  EXPECT_EQ(offset, Pickle(body).size());
  ASSERT_EQ((*value)->kind, Kind::kTuple);
  ASSERT_EQ((*value)->items.size(), 4u);
  EXPECT_EQ((*value)->items[0]->int_value, -2);
  EXPECT_EQ((*value)->items[1]->float_value, 1.5);
  EXPECT_EQ((*value)->items[2]->text, "ab");
  ASSERT_EQ((*value)->items[3]->items.size(), 1u);
  EXPECT_EQ((*value)->items[3]->items[0]->kind, Kind::kBool);
}

TEST(UnpickleTest, UnknownCallablesBecomeOpaqueObjects) {
  // os.system("x") is never called: it is just a value named "os.system".
  const std::string body = "cos\nsystem\nX" + std::string("\x01\0\0\0", 4) + "x\x85R";
  size_t offset = 0;
  auto value = Unpickle(Pickle(body), &offset);
  ASSERT_TRUE(value.ok()) << value.status();
  EXPECT_EQ((*value)->kind, Kind::kObject);
  EXPECT_EQ((*value)->text, "os.system");
}

TEST(UnpickleTest, DeepNestingIsRefusedNotOverflowed) {
  const std::string body = "]" + std::string(1'000'000, '\x85');  // [] in 10^6 nested 1-tuples
  size_t offset = 0;
  auto value = Unpickle(Pickle(body), &offset);
  ASSERT_FALSE(value.ok());
  EXPECT_THAT(value.status().message(), HasSubstr("nested too deeply"));
}

TEST(UnpickleTest, MalformedInputIsAnError) {
  for (const std::string& data :
       {std::string(""), std::string("\x80\x02", 2), Pickle("t"), Pickle("h\x05"),
        Pickle("X\xff\xff\xff\x7f"), Pickle("\xff"), Pickle("s"), Pickle("(}u")}) {
    size_t offset = 0;
    auto value = Unpickle(data, &offset);
    EXPECT_FALSE(value.ok()) << data;
    if (!value.ok()) {
      EXPECT_THAT(value.status().message(), HasSubstr("corrupt pickle"));
    }
  }
}

}  // namespace
}  // namespace labelloop
