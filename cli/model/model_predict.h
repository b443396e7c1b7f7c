#ifndef LABELLOOP_CLI_MODEL_MODEL_PREDICT_H_
#define LABELLOOP_CLI_MODEL_MODEL_PREDICT_H_

#include <ostream>

#include "absl/status/status.h"
#include "cli/arguments.h"

namespace labelloop {

// `labelloop model predict --config=C [--weights=W] IMAGE...`: one JSON object a line per
// image, {"image":PATH,"detections":[{"box":[x1,y1,x2,y2],"class":NAME,"score":S}]}, in the
// order given. An image that cannot be read is reported on `err` and the others still run; the
// result is then an error (exit 1).
absl::Status RunModelPredict(const Arguments& arguments, std::ostream& out, std::ostream& err);

}  // namespace labelloop

#endif  // LABELLOOP_CLI_MODEL_MODEL_PREDICT_H_
