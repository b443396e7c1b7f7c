#ifndef LABELLOOP_TESTS_TESTING_RPC_CONTEXT_H_
#define LABELLOOP_TESTS_TESTING_RPC_CONTEXT_H_

#include <memory>

#include "absl/time/time.h"
#include "grpcpp/client_context.h"

namespace labelloop::testing {

// A client context for one call with a deadline, so that a test talking to a daemon that hangs
// fails with DEADLINE_EXCEEDED instead of hanging the suite. The default is generous for a
// loaded 2-core machine; tests of slow calls (uploads, training) pass more.
std::unique_ptr<grpc::ClientContext> Rpc(absl::Duration timeout = absl::Seconds(20));

}  // namespace labelloop::testing

#endif  // LABELLOOP_TESTS_TESTING_RPC_CONTEXT_H_
