#include "cli/box_syntax.h"

#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "cli/usage_error.h"

namespace labelloop {

absl::StatusOr<v1::Box> ParseBox(absl::string_view text) {
  std::vector<absl::string_view> parts = absl::StrSplit(text, absl::MaxSplits(',', 4));
  auto bad = [&](absl::string_view why) {
    return UsageError(
        absl::StrCat("bad --box '", text, "': ", why, " (want --box=x1,y1,x2,y2,CLASS)"));
  };
  if (parts.size() != 5) return bad("needs four numbers and a class");
  float numbers[4];
  for (int i = 0; i < 4; ++i) {
    if (!absl::SimpleAtof(absl::StripAsciiWhitespace(parts[i]), &numbers[i])) {
      return bad(absl::StrCat("'", parts[i], "' is not a number"));
    }
  }
  absl::string_view class_name = absl::StripAsciiWhitespace(parts[4]);
  if (class_name.empty()) return bad("the class is empty");
  v1::Box box;
  box.set_x1(numbers[0]);
  box.set_y1(numbers[1]);
  box.set_x2(numbers[2]);
  box.set_y2(numbers[3]);
  box.set_class_name(std::string(class_name));
  return box;
}

}  // namespace labelloop
