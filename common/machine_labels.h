#ifndef LABELLOOP_COMMON_MACHINE_LABELS_H_
#define LABELLOOP_COMMON_MACHINE_LABELS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "common/box_validation.h"
#include "common/store.h"

namespace labelloop {

// A label the serving model wrote for an image by itself (auto-labeling, AutoLabelConfig).
struct MachineLabelRow {
  int64_t image_id = 0;
  // The model version whose predictions these are ("v3").
  std::string model_version;
  std::vector<ValidBox> boxes;
  // Sampled for review: waits as pending (and does not train) until a reviewer accepts it.
  bool pending = false;
};

// The annotator name of machine labels from `model_version`: "auto:v3".
std::string MachineAnnotator(const std::string& model_version);

// Stores each label as the first version of its image, source 'machine', annotator
// MachineAnnotator(model_version), prelabel_model_version = model_version, accepted or pending,
// and marks the image labeled; one group transaction. An image that is no longer UNLABELED, has
// any label version (a person got there first, or a reviewer rejected an earlier machine label)
// or holds a lease is skipped: a machine never overwrites or races people's work. Returns the
// ids of the images labeled.
absl::StatusOr<std::vector<int64_t>> StoreMachineLabels(Store* store,
                                                        const std::vector<MachineLabelRow>& labels,
                                                        int64_t now_ms);

struct MachineLabelCounts {
  // Images labeled by the version (each once).
  int64_t images = 0;
  // Of those, still waiting for a reviewer, and rejected by one (or replaced by an edit).
  int64_t pending = 0;
  int64_t rejected = 0;
};

// What auto-labeling wrote, by model version.
absl::StatusOr<absl::flat_hash_map<std::string, MachineLabelCounts>> CountMachineLabels(
    Store* store);

}  // namespace labelloop

#endif  // LABELLOOP_COMMON_MACHINE_LABELS_H_
