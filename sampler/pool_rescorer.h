#ifndef LABELLOOP_SAMPLER_POOL_RESCORER_H_
#define LABELLOOP_SAMPLER_POOL_RESCORER_H_

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "common/store.h"
#include "inference/serving_model.h"
#include "sampler/label_queue.h"
#include "sampler/sampler_options.h"

namespace labelloop {

struct RescoreProgress {
  std::string model_version;
  int64_t done = 0;
  int64_t total = 0;
  bool running = false;
};

struct PoolRescorerOptions {
  SamplerOptions sampler;
  // Predictions at or above this score are kept as pre-labels.
  float label_assist_threshold = 0.3f;
  int64_t max_image_bytes = int64_t{50} << 20;
  // CPU threads for scoring (0: leave torch's setting).
  int threads = 0;
};

// Scores the unlabeled pool with the serving model in the background: after each promotion it
// walks the queue from its head (the highest ranked images first, so the head is fresh within
// seconds), in batches, and images added later are scored as they arrive. Each image's score,
// parts, pre-labels and embedding go to the store's image_scores table, then into the queue's
// ranking. Scores of an older model stay in use, marked stale, until replaced. Thread-safe.
class PoolRescorer {
 public:
  PoolRescorer(Store* store, LabelQueue* queue, PoolRescorerOptions options);
  // Stops after the batch in progress.
  ~PoolRescorer();
  PoolRescorer(const PoolRescorer&) = delete;
  PoolRescorer& operator=(const PoolRescorer&) = delete;

  // Loads stored scores into the queue (at start-up), marking those of other models stale.
  absl::Status LoadStoredScores(const std::string& serving_version);
  // Starts over with a newly promoted model.
  void OnPromotion(std::shared_ptr<const ServingModel> model);
  // After a restart: scores, with the serving model, only the waiting images it has not scored.
  void Resume(std::shared_ptr<const ServingModel> model);
  void OnImagesAdded(const std::vector<int64_t>& image_ids);
  // Scores these before the rest of the pass (images handed out without pre-labels from the
  // serving model, so that they are stored for the next request). No-op before any model.
  void ScoreFirst(const std::vector<int64_t>& image_ids);
  RescoreProgress Progress() const;
  // Blocks until the current pass is done (tests and benchmarks).
  void WaitIdle() const;

 private:
  void Start(std::shared_ptr<const ServingModel> model, std::vector<int64_t> ranked);
  void Run();
  // Scores one batch with `model` and records it.
  absl::Status ScoreBatch(const ServingModel& model, const std::vector<int64_t>& image_ids);

  Store* const store_;
  LabelQueue* const queue_;
  const PoolRescorerOptions options_;

  mutable std::mutex mu_;
  mutable std::condition_variable changed_;
  std::shared_ptr<const ServingModel> model_;
  std::deque<int64_t> todo_;
  RescoreProgress progress_;
  bool busy_ = false;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace labelloop

#endif  // LABELLOOP_SAMPLER_POOL_RESCORER_H_
