#ifndef LABELLOOP_SERVER_ANNOTATOR_STATS_H_
#define LABELLOOP_SERVER_ANNOTATOR_STATS_H_

#include "absl/status/statusor.h"
#include "common/store.h"
#include "labelloop/v1/annotators.pb.h"

namespace labelloop {

// Per-annotator counts and agreement, in total and per time bucket, from the labels and the
// overlap tables (schema migration 6). INVALID_ARGUMENT names a bad request field.
absl::StatusOr<v1::GetAnnotatorStatsResponse> ReadAnnotatorStats(
    Store* store, const v1::GetAnnotatorStatsRequest& request);

// Complete overlap images, lowest agreement first, with each label's agreement.
absl::StatusOr<v1::ListOverlapImagesResponse> ReadOverlapImages(
    Store* store, const v1::ListOverlapImagesRequest& request);

}  // namespace labelloop

#endif  // LABELLOOP_SERVER_ANNOTATOR_STATS_H_
