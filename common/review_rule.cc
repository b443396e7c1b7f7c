#include "common/review_rule.h"

namespace labelloop {

ReviewRule ReviewRule::FromConfig(const v1::ReviewConfig& config) {
  ReviewRule rule;
  rule.mode = config.mode();
  rule.sample_share = config.sample_share();
  for (const auto& [annotator, share] : config.annotator_share()) {
    rule.annotator_share[annotator] = share;
  }
  return rule;
}

bool ReviewRule::NeedsReview(int64_t label_id, const std::string& annotator) const {
  switch (mode) {
    case v1::ReviewConfig::REVIEW_ALL:
      return true;
    case v1::ReviewConfig::SAMPLED: {
      auto it = annotator_share.find(annotator);
      const double share = it != annotator_share.end() ? it->second : sample_share;
      if (share <= 0.0) return false;
      if (share >= 1.0) return true;
      uint64_t z = static_cast<uint64_t>(label_id) + 0x726576696577ULL;  // "review"
      z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
      z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
      z ^= z >> 31;
      return static_cast<double>(z >> 11) * 0x1.0p-53 < share;
    }
    default:
      return false;
  }
}

}  // namespace labelloop
