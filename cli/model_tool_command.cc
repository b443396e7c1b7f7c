// labelloop model predict|eval: the offline model tools, which need no daemon.
//
// They need LibTorch and OpenCV, which would make every `labelloop` call slow to start and
// heavy to install, so they live in a separate executable, labelloop-model, next to this one;
// these verbs only check the command line and exec it.

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <string>
#include <system_error>
#include <vector>

#include "absl/strings/str_cat.h"
#include "cli/command_group.h"
#include "cli/usage_error.h"

namespace labelloop {
namespace {

namespace fs = std::filesystem;

constexpr char kModelToolName[] = "labelloop-model";

// Never returns on success: the process becomes labelloop-model, whose exit status is ours.
absl::Status ExecModelTool(const std::string& verb, const Arguments& arguments,
                           const std::vector<std::string>& flags) {
  std::error_code error;
  const fs::path self = fs::read_symlink("/proc/self/exe", error);
  if (error) {
    return absl::InternalError(
        absl::StrCat("cannot find where labelloop runs from (/proc/self/exe): ", error.message()));
  }
  const fs::path tool = self.parent_path() / kModelToolName;
  if (access(tool.c_str(), X_OK) != 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        "labelloop model needs ", kModelToolName, " next to labelloop, but ", tool.string(), " is ",
        errno == ENOENT ? "missing" : absl::StrCat("not executable (", std::strerror(errno), ")"),
        "; it is built with LibTorch and OpenCV (cmake target ", kModelToolName, ")"));
  }
  // Rebuilt as --name=value words and a "--" before the images, so that values and file names
  // starting with dashes reach labelloop-model exactly as the user meant them.
  std::vector<std::string> words = {tool.string(), verb};
  for (const std::string& flag : flags) {
    for (const std::string& value : arguments.GetAll(flag)) {
      words.push_back(absl::StrCat("--", flag, "=", value));
    }
  }
  words.push_back("--");
  for (const std::string& positional : arguments.positionals()) words.push_back(positional);
  std::vector<char*> argv;
  for (std::string& word : words) argv.push_back(word.data());
  argv.push_back(nullptr);
  std::cout.flush();
  std::cerr.flush();
  execv(tool.c_str(), argv.data());
  return absl::InternalError(
      absl::StrCat("cannot run ", tool.string(), ": ", std::strerror(errno)));
}

const std::vector<std::string>& PredictFlags() {
  static const auto* const flags =
      new std::vector<std::string>{"config", "weights", "classes", "threshold", "threads"};
  return *flags;
}

const std::vector<std::string>& EvalFlags() {
  static const auto* const flags = new std::vector<std::string>{
      "config", "weights", "classes", "threshold", "threads", "coco", "images"};
  return *flags;
}

absl::Status CheckModelToolFlags(const Arguments& arguments,
                                 const std::vector<std::string>& flags) {
  std::vector<std::string> allowed = flags;
  allowed.insert(allowed.end(), std::begin(kGlobalFlags), std::end(kGlobalFlags));
  return arguments.CheckOnly(allowed);
}

absl::Status Predict(const CommandContext& context, const Arguments& arguments) {
  if (absl::Status status = CheckModelToolFlags(arguments, PredictFlags()); !status.ok()) {
    return status;
  }
  if (!arguments.Has("config")) return UsageError("model predict needs --config=FILE");
  if (arguments.positionals().empty()) return UsageError("model predict needs at least one IMAGE");
  return ExecModelTool("predict", arguments, PredictFlags());
}

absl::Status Eval(const CommandContext& context, const Arguments& arguments) {
  if (absl::Status status = CheckModelToolFlags(arguments, EvalFlags()); !status.ok()) {
    return status;
  }
  for (const char* flag : {"config", "weights", "coco", "images"}) {
    if (!arguments.Has(flag)) return UsageError(absl::StrCat("model eval needs --", flag));
  }
  if (!arguments.positionals().empty()) {
    return UsageError(
        absl::StrCat("model eval takes flags only, got '", arguments.positionals()[0], "'"));
  }
  return ExecModelTool("eval", arguments, EvalFlags());
}

}  // namespace

const CommandGroup& ModelToolCommands() {
  static const auto* const group = new CommandGroup{
      "model",
      "offline model tools on a config and a checkpoint (no daemon; runs labelloop-model)",
      {
          {"predict", "predict --config=C [--weights=W] [--classes=a,b] [--threshold=T] IMAGE...",
           "runs the detector of daemon config C with checkpoint W (random weights without one) "
           "on each image; one JSON object a line: {\"image\",\"detections\":[{\"box\",\"class\","
           "\"score\"}]}. Class names come from W, or --classes for a .pth without them",
           &Predict},
          {"eval", "eval --config=C --weights=W --coco=ANNOTATIONS.json --images=DIR",
           "COCO bbox evaluation of checkpoint W on the annotated images in DIR; one JSON object "
           "with map, map50, map75, map_small, map_medium, map_large, ar100 and per_class AP "
           "(categories matched to the checkpoint's classes by name)",
           &Eval},
      }};
  return *group;
}

}  // namespace labelloop
