#ifndef LABELLOOP_BENCHMARKS_QUEUE_LOAD_SYNTHETIC_POOL_H_
#define LABELLOOP_BENCHMARKS_QUEUE_LOAD_SYNTHETIC_POOL_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace labelloop {

class Store;

// The model version the synthetic scores claim. No such model exists in the store, so the
// daemon ranks by these scores as stale ones and serves no pre-labels (see README).
inline constexpr char kSyntheticModelVersion[] = "v1";

struct SyntheticPoolOptions {
  int64_t images = 1000000;
  // Images per AddImages call and per score transaction: large enough that fsyncs do not
  // dominate, small enough that one transaction's memory stays modest.
  int chunk = 20000;
  std::vector<std::string> classes;
  // Images (the first ones added) stored as already labeled, with 2-3 boxes each, as after a
  // long labeling session: per-label costs that grow with the labels stored show up at once.
  int64_t labeled = 0;
  // Floats in each image's stored embedding (unit length, random direction); 0 stores none, so
  // the hybrid picker has nothing to diversify over and the queue serves by rank. The default
  // detector's pooled FPN embedding has 5 levels x 64 channels = 320.
  int embedding_dim = 0;
  uint64_t seed = 1;
};

// Images stored in the folder's store.
absl::StatusOr<int64_t> CountImages(Store* store);

// Fills `store` with `options.images` fake 640x480 images (unique made-up sha256, a uri that
// points nowhere) and an image_scores row for each, as pool scoring would leave them: uniform
// uncertainty, score parts, and 2-3 predicted boxes. Decoding a million real images is not what
// the queue benchmark measures, so nothing is read from disk. Sets the class list first.
// The first `options.labeled` images get a label version by annotator "seed" and state LABELED.
absl::Status PopulateSyntheticPool(Store* store, const SyntheticPoolOptions& options);

}  // namespace labelloop

#endif  // LABELLOOP_BENCHMARKS_QUEUE_LOAD_SYNTHETIC_POOL_H_
