#ifndef LABELLOOP_CLI_COMMAND_TABLE_H_
#define LABELLOOP_CLI_COMMAND_TABLE_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "cli/command_group.h"

namespace labelloop {

// Every command group the CLI knows, in the order the usage text lists them.
const std::vector<const CommandGroup*>& CommandGroups();

// nullptr when there is no such group or verb.
const CommandGroup* FindCommandGroup(absl::string_view name);
const CommandVerb* FindCommandVerb(const CommandGroup& group, absl::string_view name);

// The usage text of the whole CLI, or of one group.
std::string UsageText();
std::string UsageText(const CommandGroup& group);

}  // namespace labelloop

#endif  // LABELLOOP_CLI_COMMAND_TABLE_H_
