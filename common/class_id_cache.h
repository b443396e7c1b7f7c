#ifndef LABELLOOP_COMMON_CLASS_ID_CACHE_H_
#define LABELLOOP_COMMON_CLASS_ID_CACHE_H_

#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"

namespace labelloop {

// The live classes' name -> id map, kept between reads: every label submission needs it, and
// reading it from SQLite each time cost a read transaction per label (about 5 % of the daemon's
// CPU under load). Writers that may change the classes call Invalidate after their commit; a
// load that overlapped an Invalidate is returned but not kept, so the cache never holds a map
// older than the last invalidation. Thread-safe.
class ClassIdCache {
 public:
  using ClassIds = absl::flat_hash_map<std::string, int64_t>;

  // The cached map, or `load()`'s result (kept when nothing invalidated the cache meanwhile).
  absl::StatusOr<ClassIds> Get(const std::function<absl::StatusOr<ClassIds>()>& load);
  // Forgets the map; the next Get loads it again.
  void Invalidate();

 private:
  std::mutex mu_;
  std::optional<ClassIds> ids_;
  uint64_t generation_ = 0;  // Invalidations so far.
};

}  // namespace labelloop

#endif  // LABELLOOP_COMMON_CLASS_ID_CACHE_H_
