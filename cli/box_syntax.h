#ifndef LABELLOOP_CLI_BOX_SYNTAX_H_
#define LABELLOOP_CLI_BOX_SYNTAX_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "labelloop/v1/types.pb.h"

namespace labelloop {

// Parses a --box value, "x1,y1,x2,y2,CLASS". Only the syntax is checked here (four numbers and
// a non-empty class; the class may itself hold commas): whether the box is sensible (finite,
// positive area, inside the image, a known class) is the daemon's call, so that every client
// gets the same rules. A usage error names the bad value.
absl::StatusOr<v1::Box> ParseBox(absl::string_view text);

}  // namespace labelloop

#endif  // LABELLOOP_CLI_BOX_SYNTAX_H_
