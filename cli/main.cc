// labelloop: the command-line client of labelloopd.
//
//   labelloop [--server=HOST:PORT] [--json] [--timeout=SECONDS] COMMAND [ARGS]
//
// Exit status: 0 on success, 1 when the daemon (or a local file) answered with an error,
// 2 for a mistake in the command line.

#include <grpcpp/grpcpp.h>
#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "cli/arguments.h"
#include "cli/command_context.h"
#include "cli/command_table.h"
#include "cli/usage_error.h"

namespace labelloop {
namespace {

constexpr char kDefaultServer[] = "127.0.0.1:50051";
// GetImage --out returns whole images; allow more than gRPC's 4 MiB default.
constexpr int kMaxReceiveMessageBytes = 256 << 20;

constexpr int kExitOk = 0;
constexpr int kExitError = 1;
constexpr int kExitUsage = 2;

int UsageFailure(const std::string& message, const std::string& usage) {
  std::cerr << "labelloop: " << message << "\n\n" << usage;
  return kExitUsage;
}

absl::StatusOr<CommandContext> MakeContext(const Arguments& arguments) {
  CommandContext context;
  if (std::optional<std::string> server = arguments.Get("server"); server.has_value()) {
    context.server = *server;
  } else if (const char* env = std::getenv("LABELLOOP_SERVER"); env != nullptr && *env != '\0') {
    context.server = env;
  } else {
    context.server = kDefaultServer;
  }
  if (context.server.empty()) return UsageError("--server is empty");
  absl::StatusOr<double> timeout = arguments.GetDouble("timeout", 30);
  if (!timeout.ok()) return timeout.status();
  if (*timeout <= 0) return UsageError("--timeout wants a positive number of seconds");
  context.timeout = absl::Seconds(*timeout);
  absl::StatusOr<bool> json = arguments.GetBool("json", false);
  if (!json.ok()) return json.status();
  context.json = *json;

  grpc::ChannelArguments channel_arguments;
  channel_arguments.SetMaxReceiveMessageSize(kMaxReceiveMessageBytes);
  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> credentials =
      ChannelCredentialsFromFlags(arguments);
  if (!credentials.ok()) return credentials.status();
  context.token = TokenFromFlags(arguments);
  context.channel =
      grpc::CreateCustomChannel(context.server, *credentials, channel_arguments);
  context.out = &std::cout;
  context.err = &std::cerr;
  context.err_is_tty = isatty(STDERR_FILENO) == 1;
  return context;
}

int Run(const std::vector<std::string>& words) {
  absl::StatusOr<Arguments> arguments = Arguments::Parse(
      words, std::vector<std::string>(std::begin(kBooleanFlags), std::end(kBooleanFlags)));
  if (!arguments.ok()) return UsageFailure(std::string(arguments.status().message()), UsageText());
  const std::vector<std::string>& positionals = arguments->positionals();

  if (positionals.empty()) {
    if (arguments->Has("help")) {
      std::cout << UsageText();
      return kExitOk;
    }
    return UsageFailure("no command given", UsageText());
  }
  if (positionals[0] == "help") {
    const CommandGroup* group = positionals.size() > 1 ? FindCommandGroup(positionals[1]) : nullptr;
    if (positionals.size() > 1 && group == nullptr) {
      return UsageFailure(absl::StrCat("unknown command '", positionals[1], "'"), UsageText());
    }
    std::cout << (group != nullptr ? UsageText(*group) : UsageText());
    return kExitOk;
  }
  const CommandGroup* group = FindCommandGroup(positionals[0]);
  if (group == nullptr) {
    return UsageFailure(absl::StrCat("unknown command '", positionals[0], "'"), UsageText());
  }
  // A group whose only verb has no name is a command by itself (`predict IMAGE...`): every
  // word after the group is the verb's.
  const bool bare = group->verbs.size() == 1 && group->verbs[0].name.empty();
  if (positionals.size() < 2 && !bare) {
    if (arguments->Has("help")) {
      std::cout << UsageText(*group);
      return kExitOk;
    }
    return UsageFailure(absl::StrCat(group->name, " needs a verb"), UsageText(*group));
  }
  const CommandVerb* verb = bare ? &group->verbs[0] : FindCommandVerb(*group, positionals[1]);
  if (verb == nullptr) {
    return UsageFailure(absl::StrCat("unknown command '", group->name, " ", positionals[1], "'"),
                        UsageText(*group));
  }
  const std::string verb_usage =
      absl::StrCat("usage: labelloop ", group->name, " ", verb->synopsis, "\n  ", verb->help, "\n");
  if (arguments->Has("help")) {
    std::cout << verb_usage;
    return kExitOk;
  }

  absl::StatusOr<CommandContext> context = MakeContext(*arguments);
  if (!context.ok()) return UsageFailure(std::string(context.status().message()), verb_usage);
  const Arguments verb_arguments =
      bare ? arguments->WithoutFirstPositional()
           : arguments->WithoutFirstPositional().WithoutFirstPositional();
  const absl::Status status = verb->run(*context, verb_arguments);
  std::cout.flush();
  if (status.ok()) return kExitOk;
  if (IsUsageError(status)) return UsageFailure(std::string(status.message()), verb_usage);
  std::cerr << "error: " << absl::StatusCodeToString(status.code()) << ": " << status.message()
            << "\n";
  return kExitError;
}

}  // namespace
}  // namespace labelloop

int main(int argc, char** argv) {
  return labelloop::Run(std::vector<std::string>(argv + 1, argv + argc));
}
