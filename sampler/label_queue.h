#ifndef LABELLOOP_SAMPLER_LABEL_QUEUE_H_
#define LABELLOOP_SAMPLER_LABEL_QUEUE_H_

#include <cstdint>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "common/clock.h"
#include "common/store.h"
#include "labelloop/v1/types.pb.h"
#include "sampler/lease_table.h"
#include "sampler/ranked_pool.h"

namespace labelloop {

struct QueueOptions {
  uint64_t shuffle_seed = 1;
  int default_lease_seconds = 900;
  int max_lease_seconds = 86400;
  int max_batch_count = 256;
  float box_tolerance_pixels = 2.0f;
  int max_boxes_per_image = 2000;
};

// One image handed to an annotator.
struct Handout {
  StoredImage image;
  int64_t rank = 0;
  double score = 0.0;
  std::string strategy;
  std::string lease_id;
  int64_t lease_expires_ms = 0;
};

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

  // Keeps the queue in step with the store when images are added or removed.
  void AddImages(const std::vector<int64_t>& image_ids);
  void RemoveImages(const std::vector<int64_t>& image_ids);

  // Images available to hand out right now.
  size_t Remaining();

 private:
  LabelQueue(Store* store, QueueOptions options, const Clock* clock);
  PoolEntry UnlabeledEntry(int64_t image_id) const;
  // Returns expired leases' images to the pool. Needs mu_.
  void ExpireLeases(int64_t now_ms);
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
};

}  // namespace labelloop

#endif  // LABELLOOP_SAMPLER_LABEL_QUEUE_H_
