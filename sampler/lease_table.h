#ifndef LABELLOOP_SAMPLER_LEASE_TABLE_H_
#define LABELLOOP_SAMPLER_LEASE_TABLE_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"

namespace labelloop {

struct Lease {
  std::string lease_id;
  std::string annotator;
  int64_t expires_ms = 0;
  // The image's size as handed out, so a submission validates boxes without reading the
  // image's row; 0 when unknown (leases read back at start-up).
  int width = 0;
  int height = 0;
};

// Which image is held by whom until when. Not thread-safe: LabelQueue owns it under its mutex.
// Expiry is driven by the caller's clock, so tests control time.
class LeaseTable {
 public:
  void Grant(int64_t image_id, Lease lease);
  // The live lease of an image, or nullptr (none, or expired at `now_ms`).
  const Lease* Find(int64_t image_id, int64_t now_ms) const;
  void Remove(int64_t image_id);
  // Removes every lease expired at `now_ms` and returns their images.
  std::vector<int64_t> TakeExpired(int64_t now_ms);
  size_t size() const { return leases_.size(); }

 private:
  absl::flat_hash_map<int64_t, Lease> leases_;
  // (expires_ms, image_id), so expiry is a walk from the front instead of a full scan.
  std::multimap<int64_t, int64_t> by_expiry_;
};

}  // namespace labelloop

#endif  // LABELLOOP_SAMPLER_LEASE_TABLE_H_
