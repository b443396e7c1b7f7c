#ifndef LABELLOOP_COMMON_LABEL_REVIEW_H_
#define LABELLOOP_COMMON_LABEL_REVIEW_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/box_validation.h"
#include "common/store.h"
#include "labelloop/v1/review.pb.h"

namespace labelloop {

// The review of submitted labels in the store (schema 5): a pending label is handed to one
// reviewer at a time under a review lease (review_leases, written durably at once: reviews are
// few and a lost one would hand the label out twice), then accepted, rejected (the image goes
// back to the annotation queue) or replaced by the reviewer's edit (a new, accepted version).
// Errors: NOT_FOUND for an unknown label or image, FAILED_PRECONDITION for a label that is not
// pending or a lease that is not its live one, INVALID_ARGUMENT for a missing reason.

struct ReviewHandout {
  v1::LabelVersion label;
  std::string uri;
  int width = 0;
  int height = 0;
  std::string lease_id;
  int64_t lease_expires_ms = 0;
  // Pending labels still free after this one.
  int64_t pending_left = 0;
};

// Leases the oldest pending label that has no live review lease and was not written by
// `reviewer`, to `reviewer` under `lease_id` until `expires_ms`; nullopt when none is free.
absl::StatusOr<std::optional<ReviewHandout>> LeaseNextReview(Store* store,
                                                             const std::string& reviewer,
                                                             const std::string& lease_id,
                                                             int64_t expires_ms, int64_t now_ms);

absl::StatusOr<v1::LabelVersion> AcceptLabel(Store* store, int64_t label_id,
                                             const std::string& lease_id, int64_t now_ms);

// Rejects the label with `reason` (required) and returns its image to the queue's state
// (UNLABELED); the caller puts it back into the in-memory queue.
absl::StatusOr<v1::LabelVersion> RejectLabel(Store* store, int64_t label_id,
                                             const std::string& lease_id, const std::string& reason,
                                             int64_t now_ms);

struct EditedLabel {
  // The edited version, closed as rejected, and the reviewer's new accepted one.
  v1::LabelVersion closed;
  v1::LabelVersion edited;
};

// Writes `boxes` (validated by the caller) as a new version by the reviewer holding the lease,
// accepted, source REVIEWER, revising `label_id`, which is closed as rejected.
absl::StatusOr<EditedLabel> EditLabel(Store* store, int64_t label_id, const std::string& lease_id,
                                      const std::vector<ValidBox>& boxes, int64_t now_ms);

// Gives the review back: the label is free for the next reviewer at once.
absl::Status ReleaseReview(Store* store, int64_t label_id, const std::string& lease_id);

// The image a label belongs to (NOT_FOUND when there is no such label).
absl::StatusOr<int64_t> LabelImage(Store* store, int64_t label_id);

// Every label version of an image, oldest first; NOT_FOUND for an unknown image.
absl::StatusOr<std::vector<v1::LabelVersion>> LabelHistory(Store* store, int64_t image_id);

// For the images of `image_ids` whose latest label version was rejected: that version (the
// context an annotator relabels with), by image id. One query for the whole batch.
absl::StatusOr<absl::flat_hash_map<int64_t, v1::LabelVersion>> RejectedLatestLabels(
    Store* store, const std::vector<int64_t>& image_ids);

// Pending labels without a live review lease.
absl::StatusOr<int64_t> CountFreePendingLabels(Store* store, int64_t now_ms);

}  // namespace labelloop

#endif  // LABELLOOP_COMMON_LABEL_REVIEW_H_
