#include "sampler/lease_table.h"

namespace labelloop {

void LeaseTable::Grant(int64_t image_id, Lease lease) {
  Remove(image_id);
  by_expiry_.emplace(lease.expires_ms, image_id);
  leases_[image_id] = std::move(lease);
}

const Lease* LeaseTable::Find(int64_t image_id, int64_t now_ms) const {
  auto it = leases_.find(image_id);
  if (it == leases_.end() || it->second.expires_ms <= now_ms) return nullptr;
  return &it->second;
}

void LeaseTable::Remove(int64_t image_id) {
  auto it = leases_.find(image_id);
  if (it == leases_.end()) return;
  auto [first, last] = by_expiry_.equal_range(it->second.expires_ms);
  for (auto e = first; e != last; ++e) {
    if (e->second == image_id) {
      by_expiry_.erase(e);
      break;
    }
  }
  leases_.erase(it);
}

std::vector<int64_t> LeaseTable::TakeExpired(int64_t now_ms) {
  std::vector<int64_t> expired;
  while (!by_expiry_.empty() && by_expiry_.begin()->first <= now_ms) {
    int64_t image_id = by_expiry_.begin()->second;
    by_expiry_.erase(by_expiry_.begin());
    leases_.erase(image_id);
    expired.push_back(image_id);
  }
  return expired;
}

}  // namespace labelloop
