#ifndef LABELLOOP_SAMPLER_LABEL_QUEUE_H_
#define LABELLOOP_SAMPLER_LABEL_QUEUE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "common/clock.h"
#include "common/overlap_rule.h"
#include "common/store.h"
#include "labelloop/v1/types.pb.h"
#include "sampler/lease_table.h"
#include "sampler/overlap_table.h"
#include "sampler/ranked_pool.h"

namespace labelloop {

struct QueueOptions {
  uint64_t shuffle_seed = 1;
  // Scores this close to the last one of a batch count as ties; ties are shuffled per request so
  // concurrent annotators do not all start on the same region of the ranking.
  double tie_epsilon = 0.01;
  // With a batch picker: candidates considered per image handed out.
  int candidate_factor = 5;
  int default_lease_seconds = 900;
  int max_lease_seconds = 86400;
  int max_batch_count = 256;
  float box_tolerance_pixels = 2.0f;
  int max_boxes_per_image = 2000;
  // Images that go to several different annotators (share 0: none).
  OverlapRule overlap;
};

// An image's score from a model, as the queue ranks by it.
struct QueueScore {
  // In [0, 1]; higher = more worth labeling.
  double uncertainty = 0.0;
  std::string model_version;
  std::string strategy;
  // Whether the scorer stored a pooled embedding for it (what hybrid's diversity needs).
  bool has_embedding = false;
};

// One image handed to an annotator.
struct Handout {
  StoredImage image;
  int64_t rank = 0;
  double score = 0.0;
  double uncertainty = 0.0;
  double diversity = 0.0;
  std::string strategy;
  // The model that scored it ("" for the random order), and whether that model is not the
  // serving one any more.
  std::string model_version;
  bool stale = false;
  std::string lease_id;
  int64_t lease_expires_ms = 0;
};

// A candidate for a batch, as given to a BatchPicker: best ranked first.
struct BatchCandidate {
  int64_t image_id = 0;
  double uncertainty = 0.0;
  bool scored = false;
  bool has_embedding = false;
};

struct BatchPick {
  // Index into the candidates.
  int index = 0;
  double diversity = 0.0;
  std::string strategy;
};

// Chooses `count` images among ranked candidates plus a random sample of the pool (for example
// for diversity, hybrid k-center). Runs without the queue's lock, possibly for several requests
// at once: it may read the store, must be thread-safe and must not call back into the queue.
using BatchPicker =
    std::function<std::vector<BatchPick>(const std::vector<BatchCandidate>& candidates, int count)>;

// The queue of images to label: a ranked pool of available images plus the leases of handed-out
// ones. Every change to a lease or a label is written to the Store before the call returns, so a
// restart rebuilds the same queue (Create reads it back). Thread-safe.
class LabelQueue {
 public:
  static absl::StatusOr<std::unique_ptr<LabelQueue>> Create(Store* store, QueueOptions options,
                                                            const Clock* clock);

  // Hands out up to `count` images by rank, each under a new lease. Fewer (or none) when the
  // queue runs dry.
  absl::StatusOr<std::vector<Handout>> Next(int count, const std::string& annotator,
                                            int lease_seconds);
  // Validates and stores the label of a leased image, consuming the lease.
  absl::StatusOr<StoredLabel> Submit(int64_t image_id, const std::string& lease_id,
                                     const google::protobuf::RepeatedPtrField<v1::Box>& boxes);
  // Gives a leased image back, behind every unlabeled image.
  absl::Status Skip(int64_t image_id, const std::string& lease_id);
  // Gives a leased image back at its rank.
  absl::Status Release(int64_t image_id, const std::string& lease_id);

  // Ranks images by their scores from a model (unscored ones keep their random place).
  void SetScores(const std::vector<std::pair<int64_t, QueueScore>>& scores);
  // Marks scores of other models stale (they still rank until replaced).
  void SetServingVersion(const std::string& version);
  // Turns on batch picking (hybrid selection) once scores exist.
  void SetBatchPicker(BatchPicker picker);
  // Up to `limit` images available now, best ranked first (what re-scoring should do first).
  std::vector<int64_t> RankedSnapshot(size_t limit);
  // Images scored by the serving model, and images waiting (unlabeled, incl. leased).
  std::pair<size_t, size_t> ScoredByServing();

  // Keeps the queue in step with the store when images are added or removed.
  void AddImages(const std::vector<int64_t>& image_ids);
  void RemoveImages(const std::vector<int64_t>& image_ids);
  // Takes the images of `image_ids` that wait in the pool right now, untouched (not leased, not
  // being handed out or committed, not chosen for annotator overlap), out of it so that no
  // annotator gets them while a machine labels them (auto-labeling); returns those taken. The
  // caller then RemoveImages the ones it labeled and AddImages the rest back.
  std::vector<int64_t> Claim(const std::vector<int64_t>& image_ids);

  // Images available to hand out right now.
  size_t Remaining();

 private:
  LabelQueue(Store* store, QueueOptions options, const Clock* clock);
  // Where an image waits: by its score when it has one, else at its random place; skipped images
  // behind every unlabeled one, in skip order. Needs mu_.
  PoolEntry EntryFor(int64_t image_id, v1::ImageState state, int64_t skipped_ms) const;
  // Pops the candidates a batch picker chooses `count` images from, and the picker's view of
  // them. Needs mu_.
  std::vector<std::pair<int64_t, PoolEntry>> PopPickerCandidates(int count,
                                                                 std::vector<BatchCandidate>* view);
  // Records an image's score, keeping embedded_scores_ in step. Needs mu_.
  void PutScore(int64_t image_id, const QueueScore& score);
  // Pops the next `count` images by rank, near-ties at the cut shuffled (among at most
  // candidate_factor x count of them, so a large pool of close scores costs no more than the
  // picker's candidates). Needs mu_.
  std::vector<std::pair<int64_t, PoolEntry>> TakeRanked(int count);
  // Returns expired leases' images to the pool. Needs mu_.
  void ExpireLeases(int64_t now_ms);
  // Keeps the candidates `annotator` may get; overlap images they hold or labeled go to
  // `set_aside` (with their view entry dropped too when `view` is given). Needs mu_.
  void KeepAllowed(const std::string& annotator, std::vector<std::pair<int64_t, PoolEntry>>* taken,
                   std::vector<BatchCandidate>* view,
                   std::vector<std::pair<int64_t, PoolEntry>>* set_aside);
  // Puts an overlap image back in the pool when it has free places and is not there. Needs mu_.
  void RequeueOverlap(int64_t image_id);
  // FAILED_PRECONDITION (or NOT_FOUND) explaining why `lease_id` is not the live lease of the
  // image. Needs mu_.
  absl::Status CheckLease(int64_t image_id, const std::string& lease_id, int64_t now_ms);
  std::string NewLeaseId();

  Store* const store_;
  const QueueOptions options_;
  const Clock* const clock_;

  std::mutex mu_;
  RankedPool pool_;
  LeaseTable leases_;
  std::mt19937_64 lease_id_rng_;
  // Images whose label is being committed: their lease is held (not expired, not released)
  // while the queue's mutex is dropped for the durable write, so other calls proceed.
  absl::flat_hash_set<int64_t> in_commit_;
  // Images Next took out of the pool and has not leased or put back yet (it reads the store
  // between the two without mu_): in neither pool_ nor leases_, but not free to add again.
  absl::flat_hash_set<int64_t> in_handout_;
  // Overlap images between first hand-out and last submission. Such an image stays in pool_
  // while it has a free place (not every annotator it needs has labeled or leased it); its
  // leases live here, not in leases_.
  OverlapTable overlap_;
  absl::flat_hash_map<int64_t, QueueScore> scores_;
  // Entries of scores_ with an embedding. While there are none the batch picker has nothing
  // to measure diversity with, and Next takes images by rank without popping its candidates.
  size_t embedded_scores_ = 0;
  std::string serving_version_;
  BatchPicker picker_;
  std::mt19937_64 shuffle_rng_;
};

}  // namespace labelloop

#endif  // LABELLOOP_SAMPLER_LABEL_QUEUE_H_
