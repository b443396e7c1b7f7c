#ifndef LABELLOOP_SERVER_AUTO_LABELER_H_
#define LABELLOOP_SERVER_AUTO_LABELER_H_

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "absl/container/flat_hash_map.h"
#include "common/clock.h"
#include "common/machine_labels.h"
#include "common/store.h"
#include "inference/serving_model.h"
#include "labelloop/v1/config.pb.h"
#include "labelloop/v1/model.pb.h"
#include "sampler/label_queue.h"
#include "sampler/pool_rescorer.h"
#include "server/model_registry.h"

namespace labelloop {

struct AutoLabelerOptions {
  v1::AutoLabelConfig config;
  // Pre-labels are stored from this score up (detector.label_assist_threshold).
  double label_assist_threshold = 0.3;
  // Images read, and machine labels written per group transaction, at a time: annotators'
  // commits wait little, and a large pool is never in memory at once.
  size_t batch = 128;
};

// Auto-labeling (AutoLabelConfig, enabled): after a promotion, once the pool re-scoring of the
// new version has finished, labels the unlabeled training-split images whose stored pre-labels
// are all confident (auto_label_rule.h) with machine labels, using the threshold calibrated for
// that version at training time. Images are claimed from the queue first, so no annotator gets
// one meanwhile; anything a person holds or has touched is left alone. Runs on its own thread;
// the last pass per version is kept in memory for ModelService. Thread-safe.
class AutoLabeler {
 public:
  AutoLabeler(Store* store, LabelQueue* queue, ModelRegistry* registry,
              const PoolRescorer* rescorer, AutoLabelerOptions options, const Clock* clock);
  // Stops after the batch in progress.
  ~AutoLabeler();
  AutoLabeler(const AutoLabeler&) = delete;
  AutoLabeler& operator=(const AutoLabeler&) = delete;

  // A promotion (or, at start-up, the serving version): label with it once re-scoring is done.
  void OnPromotion(std::shared_ptr<const ServingModel> model);
  // The last pass of `version` (its note and threshold); nullopt when none ran since start-up.
  std::optional<v1::AutoLabeling> LastPass(const std::string& version) const;

 private:
  void Run();
  // Whether the pool re-scoring of `version` is done; clears the wish when `version` no longer
  // serves (a newer promotion brings its own).
  bool ReadyToLabel(const std::string& version);
  struct PassCounts {
    int64_t labeled = 0;
    int64_t pending = 0;
    int64_t ambiguous = 0;
    int64_t empty = 0;
    // Leased, handed out or labeled by a person meanwhile.
    int64_t busy = 0;
  };
  v1::AutoLabeling Label(const std::string& version);
  // Claims the rows' images from the queue and stores machine labels for those it got, a
  // review_share of them pending; whatever it did not label goes back to the queue.
  absl::Status Write(std::vector<MachineLabelRow> rows, PassCounts* counts);
  bool Stopping() const;

  Store* const store_;
  LabelQueue* const queue_;
  ModelRegistry* const registry_;
  const PoolRescorer* const rescorer_;
  const AutoLabelerOptions options_;
  const Clock* const clock_;

  mutable std::mutex mu_;
  std::condition_variable changed_;
  bool stopping_ = false;
  // The version to label with next ("" when none).
  std::string wanted_;
  absl::flat_hash_map<std::string, v1::AutoLabeling> passes_;
  std::thread thread_;
};

}  // namespace labelloop

#endif  // LABELLOOP_SERVER_AUTO_LABELER_H_
