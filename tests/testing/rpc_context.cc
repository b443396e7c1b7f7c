#include "tests/testing/rpc_context.h"

#include "absl/time/clock.h"

namespace labelloop::testing {

std::unique_ptr<grpc::ClientContext> Rpc(absl::Duration timeout) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  return context;
}

}  // namespace labelloop::testing
