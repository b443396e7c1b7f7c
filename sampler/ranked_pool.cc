#include "sampler/ranked_pool.h"

#include <algorithm>

namespace labelloop {

void RankedPool::Put(int64_t image_id, PoolEntry entry) {
  Remove(image_id);
  order_.insert(KeyOf(image_id, entry));
  if (entry.tier == PoolEntry::kUnlabeled) random_order_.emplace(entry.random_key, image_id);
  entries_[image_id] = entry;
}

bool RankedPool::Remove(int64_t image_id) {
  auto it = entries_.find(image_id);
  if (it == entries_.end()) return false;
  order_.erase(KeyOf(image_id, it->second));
  random_order_.erase({it->second.random_key, image_id});
  entries_.erase(it);
  return true;
}

std::optional<PoolEntry> RankedPool::Get(int64_t image_id) const {
  auto it = entries_.find(image_id);
  if (it == entries_.end()) return std::nullopt;
  return it->second;
}

std::vector<int64_t> RankedPool::Head(size_t count) const {
  std::vector<int64_t> ids;
  ids.reserve(std::min(count, order_.size()));
  for (auto it = order_.begin(); it != order_.end() && ids.size() < count; ++it) {
    ids.push_back(it->image_id);
  }
  return ids;
}

std::vector<std::pair<int64_t, PoolEntry>> RankedPool::PeekFront(size_t count) const {
  std::vector<std::pair<int64_t, PoolEntry>> head;
  head.reserve(std::min(count, order_.size()));
  for (auto it = order_.begin(); it != order_.end() && head.size() < count; ++it) {
    head.emplace_back(it->image_id, entries_.at(it->image_id));
  }
  return head;
}

std::vector<std::pair<int64_t, PoolEntry>> RankedPool::PopFront(size_t count) {
  std::vector<std::pair<int64_t, PoolEntry>> taken;
  while (taken.size() < count && !order_.empty()) {
    int64_t image_id = order_.begin()->image_id;
    order_.erase(order_.begin());
    auto it = entries_.find(image_id);
    taken.emplace_back(image_id, it->second);
    random_order_.erase({it->second.random_key, image_id});
    entries_.erase(it);
  }
  return taken;
}

std::vector<std::pair<int64_t, PoolEntry>> RankedPool::PopRandom(size_t count) {
  std::vector<std::pair<int64_t, PoolEntry>> taken;
  while (taken.size() < count && !random_order_.empty()) {
    int64_t image_id = random_order_.begin()->second;
    auto it = entries_.find(image_id);
    taken.emplace_back(image_id, it->second);
    Remove(image_id);
  }
  return taken;
}

void RankedPool::Assign(std::vector<std::pair<int64_t, PoolEntry>> entries) {
  order_.clear();
  random_order_.clear();
  entries_.clear();
  entries_.reserve(entries.size());
  std::vector<Key> keys;
  keys.reserve(entries.size());
  std::vector<std::pair<uint64_t, int64_t>> random;
  random.reserve(entries.size());
  for (const auto& [image_id, entry] : entries) {
    keys.push_back(KeyOf(image_id, entry));
    if (entry.tier == PoolEntry::kUnlabeled) random.emplace_back(entry.random_key, image_id);
    entries_[image_id] = entry;
  }
  std::sort(keys.begin(), keys.end());
  std::sort(random.begin(), random.end());
  for (const Key& key : keys) order_.insert(order_.end(), key);
  for (const auto& r : random) random_order_.insert(random_order_.end(), r);
}

std::vector<std::pair<int64_t, PoolEntry>> RankedPool::Entries() const {
  return std::vector<std::pair<int64_t, PoolEntry>>(entries_.begin(), entries_.end());
}

}  // namespace labelloop
