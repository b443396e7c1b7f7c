#ifndef LABELLOOP_COMMON_OVERLAP_RECORDS_H_
#define LABELLOOP_COMMON_OVERLAP_RECORDS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/overlap_rule.h"
#include "common/sqlite_db.h"

namespace labelloop {

// The overlap tables of schema migration 6 (overlap_images, overlap_agreements), written inside
// the store's label transaction so a submission and its agreement are durable together.

// What one submission of an overlap image did.
struct OverlapOutcome {
  bool overlap = false;
  // Submissions so far (this one included) and how many the image needs.
  int submissions = 0;
  int needed = 0;
  // The needed submissions are in: the image leaves the queue, its agreement is computed.
  bool complete = false;
  double agreement = -1.0;
  // Agreement below OverlapRule::review_below: the image waits in images_to_review.
  bool sent_to_review = false;
};

// Counts the label `label_id` (already inserted) towards the image's overlap; on the last needed
// submission, computes the agreement of the image's latest `needed` label versions, records it
// per image and per label, and routes the image to review when it is below the rule's bar: its
// versions become pending (none trains until a reviewer accepts one) and the image is put in
// images_to_review with the agreement as the reason.
// `db` is the write connection inside a transaction.
absl::StatusOr<OverlapOutcome> RecordOverlapSubmission(SqliteDb* db, int64_t image_id,
                                                       const OverlapRule& rule, int64_t now_ms);

// An overlap image still waiting for submissions, as the queue rebuilds it at start-up.
struct OverlapProgress {
  int64_t image_id = 0;
  int needed = 0;
  // Annotators who submitted a label for it so far.
  std::vector<std::string> annotators;
};

absl::StatusOr<std::vector<OverlapProgress>> ReadOverlapProgress(SqliteDb* db);

}  // namespace labelloop

#endif  // LABELLOOP_COMMON_OVERLAP_RECORDS_H_
