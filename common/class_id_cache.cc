#include "common/class_id_cache.h"

namespace labelloop {

absl::StatusOr<ClassIdCache::ClassIds> ClassIdCache::Get(
    const std::function<absl::StatusOr<ClassIds>()>& load) {
  uint64_t generation = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (ids_.has_value()) return *ids_;
    generation = generation_;
  }
  // Loaded without the lock, so concurrent readers wait on SQLite, not on each other here.
  absl::StatusOr<ClassIds> loaded = load();
  if (!loaded.ok()) return loaded.status();
  std::lock_guard<std::mutex> lock(mu_);
  // An Invalidate since the load started may have come from a commit the load did not see.
  if (generation == generation_) ids_ = *loaded;
  return loaded;
}

void ClassIdCache::Invalidate() {
  std::lock_guard<std::mutex> lock(mu_);
  ids_.reset();
  ++generation_;
}

}  // namespace labelloop
