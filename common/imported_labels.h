#ifndef LABELLOOP_COMMON_IMPORTED_LABELS_H_
#define LABELLOOP_COMMON_IMPORTED_LABELS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/box_validation.h"
#include "common/store.h"

namespace labelloop {

// A label made outside labelloop (an imported annotation file), its boxes validated.
struct ImportedLabelRow {
  int64_t image_id = 0;
  // "import:<source>".
  std::string annotator;
  std::vector<ValidBox> boxes;
};

// Stores each label as a new version of its image, accepted (source 'import'; nobody reviews
// a dataset someone already labeled) and without a lease, marks the images labeled and ends any
// live lease on them (the annotator's later submission then fails cleanly instead of
// overwriting). One group transaction: all are durable, or none is stored. Ids in input order.
absl::StatusOr<std::vector<StoredLabel>> StoreImportedLabels(
    Store* store, const std::vector<ImportedLabelRow>& labels, int64_t now_ms);

}  // namespace labelloop

#endif  // LABELLOOP_COMMON_IMPORTED_LABELS_H_
