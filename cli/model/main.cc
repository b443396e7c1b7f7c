// labelloop-model: the offline model tools behind `labelloop model predict|eval`, which need
// LibTorch and OpenCV but no daemon. `labelloop model ...` execs this program; it also runs on
// its own:
//
//   labelloop-model predict --config=C [--weights=W] [--classes=a,b] [--threshold=T] IMAGE...
//   labelloop-model eval --config=C --weights=W --coco=ANNOTATIONS.json --images=DIR
//
// Exit status: 0 on success, 1 on an error (bad checkpoint, unreadable image), 2 for a mistake
// in the command line.

#include <malloc.h>
#include <unistd.h>

#include <iostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "cli/arguments.h"
#include "cli/model/model_eval.h"
#include "cli/model/model_predict.h"
#include "cli/usage_error.h"

namespace labelloop {
namespace {

constexpr char kUsage[] =
    "usage: labelloop-model predict --config=C [--weights=W] [--classes=a,b,c] [--threshold=T]\n"
    "                               [--threads=N] IMAGE...\n"
    "       labelloop-model eval --config=C --weights=W --coco=ANNOTATIONS.json --images=DIR\n"
    "                            [--classes=a,b,c] [--threshold=T] [--threads=N]\n"
    "\n"
    "  --config     a labelloopd config (textproto); its detector section shapes the network\n"
    "  --weights    a labelloop safetensors checkpoint or a torchvision .pth state_dict\n"
    "               (predict without it: random weights)\n"
    "  --classes    class names, in order, for a .pth (or random weights) that names none\n"
    "  --threshold  lowest detection score kept (default: the config's detector.score_thresh)\n"
    "  --threads    CPU threads (default: the config's detector.threads, else all cores)\n";

constexpr int kExitOk = 0;
constexpr int kExitError = 1;
constexpr int kExitUsage = 2;

int Run(const std::vector<std::string>& words) {
  const std::vector<std::string> boolean_flags = {"help"};
  absl::StatusOr<Arguments> arguments = Arguments::Parse(words, boolean_flags);
  if (!arguments.ok()) {
    std::cerr << "labelloop-model: " << arguments.status().message() << "\n\n" << kUsage;
    return kExitUsage;
  }
  if (arguments->Has("help")) {
    std::cout << kUsage;
    return kExitOk;
  }
  if (arguments->positionals().empty()) {
    std::cerr << "labelloop-model: no command given\n\n" << kUsage;
    return kExitUsage;
  }
  const std::string command = arguments->positionals()[0];
  const Arguments rest = arguments->WithoutFirstPositional();
  absl::Status status;
  if (command == "predict") {
    status = RunModelPredict(rest, std::cout, std::cerr);
  } else if (command == "eval") {
    status = RunModelEval(rest, std::cout, std::cerr, isatty(STDERR_FILENO) == 1);
  } else {
    std::cerr << "labelloop-model: unknown command '" << command << "'\n\n" << kUsage;
    return kExitUsage;
  }
  std::cout.flush();
  if (status.ok()) return kExitOk;
  if (IsUsageError(status)) {
    std::cerr << "labelloop-model: " << status.message() << "\n\n" << kUsage;
    return kExitUsage;
  }
  std::cerr << "error: " << absl::StatusCodeToString(status.code()) << ": " << status.message()
            << "\n";
  return kExitError;
}

}  // namespace
}  // namespace labelloop

int main(int argc, char** argv) {
  // glibc returns big freed blocks to the OS at once by default, so LibTorch's large,
  // short-lived activation buffers are mmapped and page-faulted again on every forward pass;
  // keeping them in the heap is a large speed-up on this kind of machine.
  mallopt(M_MMAP_THRESHOLD, 1 << 30);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  return labelloop::Run(std::vector<std::string>(argv + 1, argv + argc));
}
