#ifndef LABELLOOP_SAMPLER_OVERLAP_TABLE_H_
#define LABELLOOP_SAMPLER_OVERLAP_TABLE_H_

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"

namespace labelloop {

// One of the concurrent leases of an overlap image.
struct OverlapLease {
  // 1..k: the lease's row in the store (leases are keyed by image and slot).
  int slot = 0;
  std::string lease_id;
  std::string annotator;
  int64_t expires_ms = 0;
  // As Lease: the image's size as handed out, 0 when unknown.
  int width = 0;
  int height = 0;
  // Its submission is being stored: it neither expires nor can be used again meanwhile.
  bool in_commit = false;
};

// An overlap image in progress: who labeled it, who holds it.
struct OverlapImage {
  int needed = 0;
  std::vector<std::string> done;
  std::vector<OverlapLease> leases;

  int taken() const { return static_cast<int>(done.size() + leases.size()); }
  // Every place is labeled or leased: the image waits outside the pool.
  bool full() const { return taken() >= needed; }
  // Whether `annotator` may get it: never one annotator twice, nor two leases of one.
  bool Allows(const std::string& annotator) const;
};

// Overlap images (OverlapConfig) between their first hand-out and their last submission: each
// goes to `needed` different annotators, each under their own lease, possibly at the same time.
// Not thread-safe: LabelQueue owns it under its mutex, like LeaseTable.
class OverlapTable {
 public:
  bool empty() const { return images_.empty(); }
  // Images whose every place is labeled or leased (they wait outside the pool).
  size_t CountFull() const;
  OverlapImage* Find(int64_t image_id);
  // The image's entry, created with `needed` places if it has none.
  OverlapImage& Start(int64_t image_id, int needed);
  void Erase(int64_t image_id);

  // The lowest slot (from 1) none of the image's leases uses.
  static int FreeSlot(const OverlapImage& image);
  void AddLease(int64_t image_id, OverlapLease lease);
  // The lease `lease_id` of the image, live at `now_ms` (or in commit), else nullptr.
  OverlapLease* FindLease(int64_t image_id, const std::string& lease_id, int64_t now_ms);
  void RemoveLease(int64_t image_id, const std::string& lease_id);
  // The lease's annotator labeled the image: the lease becomes a done place.
  void CompleteLease(int64_t image_id, const std::string& lease_id);
  // Removes leases expired at `now_ms` (not those in commit); returns the images that lost one.
  std::vector<int64_t> TakeExpired(int64_t now_ms);

 private:
  absl::flat_hash_map<int64_t, OverlapImage> images_;
  // (expires_ms, (image_id, lease_id)), so expiry walks from the front.
  std::multimap<int64_t, std::pair<int64_t, std::string>> by_expiry_;
};

}  // namespace labelloop

#endif  // LABELLOOP_SAMPLER_OVERLAP_TABLE_H_
