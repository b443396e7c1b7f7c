#ifndef LABELLOOP_SERVER_LABEL_EXPORT_H_
#define LABELLOOP_SERVER_LABEL_EXPORT_H_

#include <cstdint>
#include <functional>

#include "absl/status/status.h"
#include "common/store.h"
#include "labelloop/v1/dataset.pb.h"

namespace labelloop {

// The ExportLabels RPC: calls `write` for every exported image, oldest first, reading the store
// a page at a time (so a large project streams in bounded memory and the read lock is never
// held for long). Labels: the latest accepted version of each image that has one (a newer
// pending or rejected version does not hide it). Predictions: the stored pre-labels of the model
// that last scored each image. `write` returning false (the client went away) stops early with
// CANCELLED. INVALID_ARGUMENT for a split other than "", "train" or "val".
absl::Status ExportLabels(Store* store, const v1::ExportLabelsRequest& request, int64_t now_ms,
                          const std::function<bool(const v1::ExportedImage&)>& write);

}  // namespace labelloop

#endif  // LABELLOOP_SERVER_LABEL_EXPORT_H_
