#ifndef LABELLOOP_SERVER_LABEL_IMPORT_H_
#define LABELLOOP_SERVER_LABEL_IMPORT_H_

#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "common/store.h"
#include "labelloop/v1/dataset.pb.h"

namespace labelloop {

struct LabelImportOptions {
  int max_boxes_per_image = 2000;
  // As for submissions: boxes reaching this far outside the image are clipped, further refused.
  float box_tolerance_pixels = 2.0f;
};

// The ImportLabels RPC: resolves each label's image (id or sha256), validates its boxes like a
// submission, adds missing classes when asked, and stores the good labels as accepted versions
// in one transaction (StoreImportedLabels). A bad label is rejected in `response` with its index
// and reason; a bad request as a whole (too many labels, a bad source) is INVALID_ARGUMENT.
// `imported_image_ids` receives the images that got a label (they leave the queue).
absl::Status ImportLabels(Store* store, const LabelImportOptions& options,
                          const v1::ImportLabelsRequest& request, int64_t now_ms,
                          v1::ImportLabelsResponse* response,
                          std::vector<int64_t>* imported_image_ids);

}  // namespace labelloop

#endif  // LABELLOOP_SERVER_LABEL_IMPORT_H_
