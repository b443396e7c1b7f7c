#ifndef LABELLOOP_COMMON_REVIEW_RULE_H_
#define LABELLOOP_COMMON_REVIEW_RULE_H_

#include <cstdint>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "labelloop/v1/config.pb.h"

namespace labelloop {

// Which submitted labels wait for review (ReviewConfig). The default accepts every submission,
// as before the review workflow existed.
struct ReviewRule {
  v1::ReviewConfig::Mode mode = v1::ReviewConfig::AUTO_ACCEPT;
  double sample_share = 0.1;
  absl::flat_hash_map<std::string, double> annotator_share;

  static ReviewRule FromConfig(const v1::ReviewConfig& config);

  // Whether label `label_id` by `annotator` waits for review. For SAMPLED a pure function of the
  // label id (salted hash, so it is independent of other hashes of ids), so a label's fate does
  // not depend on timing or restarts, and each annotator's share is reached on average.
  bool NeedsReview(int64_t label_id, const std::string& annotator) const;
};

}  // namespace labelloop

#endif  // LABELLOOP_COMMON_REVIEW_RULE_H_
