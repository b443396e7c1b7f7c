#ifndef LABELLOOP_SAMPLER_HYBRID_PICKER_H_
#define LABELLOOP_SAMPLER_HYBRID_PICKER_H_

#include <cstdint>

#include "common/store.h"
#include "sampler/label_queue.h"
#include "sampler/sampler_options.h"

namespace labelloop {

// The queue's batch picker for the hybrid strategy: among the ranked candidates (and the random
// sample beside them) it picks for diversity by k-center greedy over the stored embeddings,
// starting from the embeddings of recently labeled images, with the configured random share
// and rare-class boost (SelectBatch). Embeddings are read from the store for the candidates
// only, so a large pool costs no memory.
BatchPicker MakeHybridPicker(Store* store, SamplerOptions options, uint64_t seed);

}  // namespace labelloop

#endif  // LABELLOOP_SAMPLER_HYBRID_PICKER_H_
