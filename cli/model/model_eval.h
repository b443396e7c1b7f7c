#ifndef LABELLOOP_CLI_MODEL_MODEL_EVAL_H_
#define LABELLOOP_CLI_MODEL_MODEL_EVAL_H_

#include <ostream>

#include "absl/status/status.h"
#include "cli/arguments.h"

namespace labelloop {

// `labelloop model eval --config=C --weights=W --coco=ANNOTATIONS.json --images=DIR`: runs the
// detector on every image the annotations list (DIR/file_name) and prints one JSON object,
// {"map","map50","map75","map_small","map_medium","map_large","ar100","per_class":{NAME:AP}},
// with pycocotools' semantics (-1: nothing to measure). The checkpoint's classes are matched to
// the annotations' categories by name; at least one must match. Progress (n/N images) goes to
// `err`, redrawn in place when `err_is_tty`.
absl::Status RunModelEval(const Arguments& arguments, std::ostream& out, std::ostream& err,
                          bool err_is_tty);

}  // namespace labelloop

#endif  // LABELLOOP_CLI_MODEL_MODEL_EVAL_H_
