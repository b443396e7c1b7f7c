#include "cli/command_context.h"

#include <vector>

#include "absl/time/clock.h"

namespace labelloop {

std::unique_ptr<grpc::ClientContext> CommandContext::NewRpc(absl::Duration deadline) const {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(absl::ToChronoTime(absl::Now() + deadline));
  return context;
}

absl::Status CommandContext::CheckFlags(const Arguments& arguments,
                                        std::initializer_list<std::string> command_flags) const {
  std::vector<std::string> allowed(command_flags);
  allowed.insert(allowed.end(), std::begin(kGlobalFlags), std::end(kGlobalFlags));
  return arguments.CheckOnly(allowed);
}

}  // namespace labelloop
