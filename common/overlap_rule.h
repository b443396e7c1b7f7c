#ifndef LABELLOOP_COMMON_OVERLAP_RULE_H_
#define LABELLOOP_COMMON_OVERLAP_RULE_H_

#include <cstdint>

#include "labelloop/v1/config.pb.h"

namespace labelloop {

// Which images several annotators label, and what their agreement must reach (OverlapConfig).
struct OverlapRule {
  double share = 0.0;
  int annotators = 2;
  double match_iou = 0.5;
  double review_below = 0.7;

  static OverlapRule FromConfig(const v1::OverlapConfig& config) {
    return {config.share(), config.annotators(), config.match_iou(), config.review_below()};
  }

  bool enabled() const { return share > 0.0; }

  // A pure function of the image id, so the same images overlap across restarts; its hash is
  // salted so the choice is independent of the queue's random order (also a hash of the id).
  bool Selects(int64_t image_id) const {
    if (share <= 0.0) return false;
    if (share >= 1.0) return true;
    uint64_t z = static_cast<uint64_t>(image_id) + 0x6F7665726C6170ULL;  // "overlap"
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    z ^= z >> 31;
    return static_cast<double>(z >> 11) * 0x1.0p-53 < share;
  }
};

}  // namespace labelloop

#endif  // LABELLOOP_COMMON_OVERLAP_RULE_H_
