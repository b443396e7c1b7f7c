#include "cli/command_table.h"

#include "absl/strings/str_cat.h"

namespace labelloop {
namespace {

constexpr absl::string_view kGlobalUsage =
    "usage: labelloop [--server=HOST:PORT] [--json] [--timeout=SECONDS] COMMAND [ARGS]\n"
    "\n"
    "  --server   the daemon to talk to (default: $LABELLOOP_SERVER, else 127.0.0.1:50051)\n"
    "  --json     machine-readable output where a command also has a human one\n"
    "  --timeout  seconds each call to the daemon may take (default 30)\n"
    "  --token    bearer token when the daemon has a tokens file (default: $LABELLOOP_TOKEN)\n"
    "  --tls_ca=PEM  talk TLS, trusting this CA; --tls_cert=PEM --tls_key=PEM: client\n"
    "             certificate for a daemon that requires one (mutual TLS)\n";

}  // namespace

const std::vector<const CommandGroup*>& CommandGroups() {
  static const auto* const groups = new std::vector<const CommandGroup*>{
      &ImagesCommands(),
      &QueueCommands(),
      &LabelsCommands(),
      &ClassesCommands(),
      &TrainCommands(),
      &JobsCommands(),
      &ModelsCommands(),
      &PredictCommands(),
      &ModelToolCommands(),
      &ReportCommands(),
      &SuspectsCommands(),
      &ImportCommands(),
      &ExportCommands(),
      &ReviewCommands(),
      &AnnotatorsCommands(),
  };
  return *groups;
}

const CommandGroup* FindCommandGroup(absl::string_view name) {
  for (const CommandGroup* group : CommandGroups()) {
    if (group->name == name) return group;
  }
  return nullptr;
}

const CommandVerb* FindCommandVerb(const CommandGroup& group, absl::string_view name) {
  for (const CommandVerb& verb : group.verbs) {
    if (verb.name == name) return &verb;
  }
  return nullptr;
}

std::string UsageText() {
  std::string text = absl::StrCat(kGlobalUsage, "\ncommands:\n");
  for (const CommandGroup* group : CommandGroups()) {
    for (const CommandVerb& verb : group->verbs) {
      absl::StrAppend(&text, "  labelloop ", group->name, " ", verb.synopsis, "\n");
    }
  }
  absl::StrAppend(&text, "  labelloop help [COMMAND]\n");
  return text;
}

std::string UsageText(const CommandGroup& group) {
  std::string text =
      absl::StrCat("usage: labelloop ", group.name, " VERB ...  (", group.summary, ")\n\n");
  for (const CommandVerb& verb : group.verbs) {
    absl::StrAppend(&text, "  labelloop ", group.name, " ", verb.synopsis, "\n      ", verb.help,
                    "\n");
  }
  absl::StrAppend(&text, "\nglobal flags: --server=HOST:PORT --json --timeout=SECONDS\n");
  return text;
}

}  // namespace labelloop
