#ifndef LABELLOOP_CLI_COMMAND_GROUP_H_
#define LABELLOOP_CLI_COMMAND_GROUP_H_

#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "cli/arguments.h"
#include "cli/command_context.h"

namespace labelloop {

// One command such as `images add`. `run` gets the arguments after the verb: positionals are
// the command's own words, flags are all of the command line's flags.
struct CommandVerb {
  absl::string_view name;
  // The synopsis after `labelloop GROUP`, for example "add [--by_path] PATH...".
  absl::string_view synopsis;
  absl::string_view help;
  absl::Status (*run)(const CommandContext& context, const Arguments& arguments);
};

// A noun with its verbs (`images`: add, ls, get, rm). Adding a group is one file defining a
// function that returns it, and one line in command_table.cc.
struct CommandGroup {
  absl::string_view name;
  absl::string_view summary;
  std::vector<CommandVerb> verbs;
};

const CommandGroup& ImagesCommands();
const CommandGroup& QueueCommands();
const CommandGroup& LabelsCommands();
const CommandGroup& ClassesCommands();
const CommandGroup& TrainCommands();
const CommandGroup& JobsCommands();
const CommandGroup& ModelsCommands();
const CommandGroup& PredictCommands();
const CommandGroup& ModelToolCommands();
const CommandGroup& ReportCommands();
const CommandGroup& SuspectsCommands();
const CommandGroup& ImportCommands();
const CommandGroup& ExportCommands();
const CommandGroup& ReviewCommands();
const CommandGroup& AnnotatorsCommands();

}  // namespace labelloop

#endif  // LABELLOOP_CLI_COMMAND_GROUP_H_
