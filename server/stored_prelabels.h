#ifndef LABELLOOP_SERVER_STORED_PRELABELS_H_
#define LABELLOOP_SERVER_STORED_PRELABELS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "common/store.h"
#include "google/protobuf/repeated_ptr_field.h"
#include "labelloop/v1/types.pb.h"

namespace labelloop {

// The pre-labels pool scoring stored for one image, and the model that predicted them.
struct StoredPrelabels {
  std::string model_version;
  google::protobuf::RepeatedPtrField<v1::Box> boxes;
};

// The stored pre-labels of each of `image_ids` that has any, whatever model predicted them, in
// one query. GetNextBatch hands these out instead of running the model: right after a
// promotion most images still hold the previous model's pre-labels until re-scoring reaches
// them, and predicting them on demand (four forward passes per call, beside training and
// re-scoring on a small machine) stalled annotators for seconds (benchmarks/soak).
absl::StatusOr<absl::flat_hash_map<int64_t, StoredPrelabels>> ReadStoredPrelabels(
    Store* store, const std::vector<int64_t>& image_ids);

}  // namespace labelloop

#endif  // LABELLOOP_SERVER_STORED_PRELABELS_H_
