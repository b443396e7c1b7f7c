#ifndef LABELLOOP_TESTS_TESTING_FREE_PORT_H_
#define LABELLOOP_TESTS_TESTING_FREE_PORT_H_

#include "absl/status/statusor.h"

namespace labelloop::testing {

// A loopback TCP port that was free a moment ago: the kernel's pick for a bind to port 0,
// released again. Another process may take it before the caller binds, so callers retry.
absl::StatusOr<int> PickFreeLoopbackPort();

}  // namespace labelloop::testing

#endif  // LABELLOOP_TESTS_TESTING_FREE_PORT_H_
