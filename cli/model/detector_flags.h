#ifndef LABELLOOP_CLI_MODEL_DETECTOR_FLAGS_H_
#define LABELLOOP_CLI_MODEL_DETECTOR_FLAGS_H_

#include "absl/status/statusor.h"
#include "cli/arguments.h"
#include "cli/model/offline_detector.h"

namespace labelloop {

// --config (required), --weights, --classes=a,b,c, --threshold=T (a score in [0, 1]) and
// --threads=N, which both offline tools take. Mistakes are usage errors.
absl::StatusOr<OfflineDetectorSpec> DetectorSpecFromFlags(const Arguments& arguments);

}  // namespace labelloop

#endif  // LABELLOOP_CLI_MODEL_DETECTOR_FLAGS_H_
