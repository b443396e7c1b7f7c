#ifndef LABELLOOP_CLI_REVIEW_COMMAND_H_
#define LABELLOOP_CLI_REVIEW_COMMAND_H_

#include "absl/status/status.h"
#include "cli/arguments.h"
#include "cli/command_context.h"

namespace labelloop {

// `labelloop labels history IMAGE`: every label version of an image with its review
// (ReviewService.GetLabelHistory), one JSON line per version with --json.
absl::Status RunLabelHistory(const CommandContext& context, const Arguments& arguments);

}  // namespace labelloop

#endif  // LABELLOOP_CLI_REVIEW_COMMAND_H_
