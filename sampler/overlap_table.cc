#include "sampler/overlap_table.h"

#include <algorithm>

namespace labelloop {

bool OverlapImage::Allows(const std::string& annotator) const {
  if (std::find(done.begin(), done.end(), annotator) != done.end()) return false;
  for (const OverlapLease& lease : leases) {
    if (lease.annotator == annotator) return false;
  }
  return true;
}

size_t OverlapTable::CountFull() const {
  size_t full = 0;
  for (const auto& [image_id, image] : images_) full += image.full() ? 1 : 0;
  return full;
}

OverlapImage* OverlapTable::Find(int64_t image_id) {
  auto it = images_.find(image_id);
  return it == images_.end() ? nullptr : &it->second;
}

OverlapImage& OverlapTable::Start(int64_t image_id, int needed) {
  auto [it, inserted] = images_.try_emplace(image_id);
  if (inserted) it->second.needed = needed;
  return it->second;
}

void OverlapTable::Erase(int64_t image_id) {
  OverlapImage* image = Find(image_id);
  if (image == nullptr) return;
  while (!image->leases.empty()) RemoveLease(image_id, image->leases.back().lease_id);
  images_.erase(image_id);
}

int OverlapTable::FreeSlot(const OverlapImage& image) {
  for (int slot = 1;; ++slot) {
    bool used = false;
    for (const OverlapLease& lease : image.leases) used = used || lease.slot == slot;
    if (!used) return slot;
  }
}

void OverlapTable::AddLease(int64_t image_id, OverlapLease lease) {
  by_expiry_.emplace(lease.expires_ms, std::make_pair(image_id, lease.lease_id));
  images_[image_id].leases.push_back(std::move(lease));
}

OverlapLease* OverlapTable::FindLease(int64_t image_id, const std::string& lease_id,
                                      int64_t now_ms) {
  OverlapImage* image = Find(image_id);
  if (image == nullptr) return nullptr;
  for (OverlapLease& lease : image->leases) {
    if (lease.lease_id == lease_id && (lease.in_commit || lease.expires_ms > now_ms)) {
      return &lease;
    }
  }
  return nullptr;
}

void OverlapTable::RemoveLease(int64_t image_id, const std::string& lease_id) {
  OverlapImage* image = Find(image_id);
  if (image == nullptr) return;
  auto it = std::find_if(image->leases.begin(), image->leases.end(),
                         [&](const OverlapLease& lease) { return lease.lease_id == lease_id; });
  if (it == image->leases.end()) return;
  auto [first, last] = by_expiry_.equal_range(it->expires_ms);
  for (auto e = first; e != last; ++e) {
    if (e->second.first == image_id && e->second.second == lease_id) {
      by_expiry_.erase(e);
      break;
    }
  }
  image->leases.erase(it);
}

void OverlapTable::CompleteLease(int64_t image_id, const std::string& lease_id) {
  OverlapImage* image = Find(image_id);
  if (image == nullptr) return;
  for (const OverlapLease& lease : image->leases) {
    if (lease.lease_id == lease_id) {
      image->done.push_back(lease.annotator);
      break;
    }
  }
  RemoveLease(image_id, lease_id);
}

std::vector<int64_t> OverlapTable::TakeExpired(int64_t now_ms) {
  std::vector<int64_t> images;
  std::vector<std::pair<int64_t, std::pair<int64_t, std::string>>> in_commit;
  while (!by_expiry_.empty() && by_expiry_.begin()->first <= now_ms) {
    auto front = by_expiry_.begin();
    auto [image_id, lease_id] = front->second;
    OverlapImage* image = Find(image_id);
    OverlapLease* lease = nullptr;
    if (image != nullptr) {
      for (OverlapLease& l : image->leases) {
        if (l.lease_id == lease_id) lease = &l;
      }
    }
    if (lease != nullptr && lease->in_commit) {
      // Its submission decides; the queue removes it if that fails.
      in_commit.push_back(*front);
      by_expiry_.erase(front);
      continue;
    }
    by_expiry_.erase(front);
    if (lease == nullptr) continue;
    image->leases.erase(image->leases.begin() + (lease - image->leases.data()));
    images.push_back(image_id);
  }
  for (auto& entry : in_commit) by_expiry_.insert(std::move(entry));
  return images;
}

}  // namespace labelloop
