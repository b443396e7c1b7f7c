#ifndef LABELLOOP_CLI_USAGE_ERROR_H_
#define LABELLOOP_CLI_USAGE_ERROR_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace labelloop {

// A mistake in the command line (unknown command, missing or malformed flag). It is told apart
// from a server's INVALID_ARGUMENT by a payload, because the two end differently: a usage error
// prints the usage text and exits 2, a server error exits 1.
absl::Status UsageError(absl::string_view message);
bool IsUsageError(const absl::Status& status);

}  // namespace labelloop

#endif  // LABELLOOP_CLI_USAGE_ERROR_H_
