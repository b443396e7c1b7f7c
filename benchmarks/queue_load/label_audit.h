#ifndef LABELLOOP_BENCHMARKS_QUEUE_LOAD_LABEL_AUDIT_H_
#define LABELLOOP_BENCHMARKS_QUEUE_LOAD_LABEL_AUDIT_H_

#include <cstdint>

#include "absl/status/statusor.h"

namespace labelloop {

class Store;

// What the store holds about labels, read straight from SQLite after the daemon has stopped, to
// check the daemon's acknowledgements against what is on disk.
struct LabelAudit {
  int64_t labeled_images = 0;  // images in state LABELED
  int64_t label_rows = 0;      // label versions
  int64_t images_with_several_labels = 0;
  int64_t images_with_several_annotators = 0;
};

absl::StatusOr<LabelAudit> AuditLabels(Store* store);

}  // namespace labelloop

#endif  // LABELLOOP_BENCHMARKS_QUEUE_LOAD_LABEL_AUDIT_H_
