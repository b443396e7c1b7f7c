#ifndef LABELLOOP_SAMPLER_RANKED_POOL_H_
#define LABELLOOP_SAMPLER_RANKED_POOL_H_

#include <cstdint>
#include <optional>
#include <set>
#include <vector>

#include "absl/container/flat_hash_map.h"

namespace labelloop {

// Where an image stands in the queue. Unlabeled images come before skipped ones; within a tier
// the higher priority comes first, then the lower tiebreak.
struct PoolEntry {
  enum Tier : int { kUnlabeled = 0, kSkipped = 1 };
  Tier tier = kUnlabeled;
  double priority = 0.0;
  uint64_t tiebreak = 0;
  // The image's place in the seeded random order (RandomOrderKey), for drawing random samples
  // of the pool in O(log n) without a second copy of it.
  uint64_t random_key = 0;
};

// The images available to hand out (not labeled, not leased), ordered by rank. Not thread-safe:
// LabelQueue owns it under its mutex.
class RankedPool {
 public:
  // Adds or moves an image.
  void Put(int64_t image_id, PoolEntry entry);
  bool Remove(int64_t image_id);
  bool Contains(int64_t image_id) const { return entries_.contains(image_id); }
  std::optional<PoolEntry> Get(int64_t image_id) const;
  // Up to `count` images from the head, best first, leaving the pool as it is (a read-only
  // walk: cheaper under the queue's lock than popping and putting back every image).
  std::vector<int64_t> Head(size_t count) const;
  // Up to `count` images from the head with their entries, best first, leaving the pool as it is.
  std::vector<std::pair<int64_t, PoolEntry>> PeekFront(size_t count) const;
  // Removes and returns up to `count` images from the head, best first.
  std::vector<std::pair<int64_t, PoolEntry>> PopFront(size_t count);
  // Removes and returns up to `count` unlabeled images in random order (the seeded order), so
  // every unlabeled image is equally likely whatever its rank.
  std::vector<std::pair<int64_t, PoolEntry>> PopRandom(size_t count);
  size_t size() const { return entries_.size(); }

  // Replaces the whole content at once: sorts, then appends to the ordered sets with a hint,
  // several times faster than a Put per image (building a 1,000,000-image queue at start-up).
  // Image ids must be distinct.
  void Assign(std::vector<std::pair<int64_t, PoolEntry>> entries);
  // Every image with its entry, in no particular order.
  std::vector<std::pair<int64_t, PoolEntry>> Entries() const;

 private:
  struct Key {
    int tier;
    double neg_priority;
    uint64_t tiebreak;
    int64_t image_id;
    bool operator<(const Key& o) const {
      if (tier != o.tier) return tier < o.tier;
      if (neg_priority != o.neg_priority) return neg_priority < o.neg_priority;
      if (tiebreak != o.tiebreak) return tiebreak < o.tiebreak;
      return image_id < o.image_id;
    }
  };
  static Key KeyOf(int64_t image_id, const PoolEntry& e) {
    return Key{e.tier, -e.priority, e.tiebreak, image_id};
  }

  std::set<Key> order_;
  // Unlabeled images by random key.
  std::set<std::pair<uint64_t, int64_t>> random_order_;
  absl::flat_hash_map<int64_t, PoolEntry> entries_;
};

}  // namespace labelloop

#endif  // LABELLOOP_SAMPLER_RANKED_POOL_H_
