#include "common/overlap_records.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/agreement.h"

namespace labelloop {
namespace {

struct VersionBoxes {
  int64_t label_id = 0;
  std::vector<ValidBox> boxes;
};

// The latest `count` label versions of an image with their boxes, oldest first.
absl::StatusOr<std::vector<VersionBoxes>> LatestVersions(SqliteDb* db, int64_t image_id,
                                                         int count) {
  absl::StatusOr<SqliteStatement> labels = db->PrepareCached(
      "SELECT id FROM (SELECT id, version FROM labels WHERE image_id = ? ORDER BY version DESC"
      " LIMIT ?) ORDER BY version");
  if (!labels.ok()) return labels.status();
  labels->Bind(1, image_id).Bind(2, static_cast<int64_t>(count));
  std::vector<VersionBoxes> versions;
  while (true) {
    absl::StatusOr<bool> row = labels->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    versions.push_back({labels->ColumnInt(0), {}});
  }
  absl::StatusOr<SqliteStatement> boxes = db->PrepareCached(
      "SELECT x1, y1, x2, y2, class_id FROM boxes WHERE label_id = ? ORDER BY idx");
  if (!boxes.ok()) return boxes.status();
  for (VersionBoxes& version : versions) {
    boxes->Reset();
    boxes->Bind(1, version.label_id);
    while (true) {
      absl::StatusOr<bool> row = boxes->Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      version.boxes.push_back({static_cast<float>(boxes->ColumnDouble(0)),
                               static_cast<float>(boxes->ColumnDouble(1)),
                               static_cast<float>(boxes->ColumnDouble(2)),
                               static_cast<float>(boxes->ColumnDouble(3)), boxes->ColumnInt(4)});
    }
  }
  return versions;
}

}  // namespace

absl::StatusOr<OverlapOutcome> RecordOverlapSubmission(SqliteDb* db, int64_t image_id,
                                                       const OverlapRule& rule, int64_t now_ms) {
  OverlapOutcome outcome;
  outcome.overlap = true;
  // The first submission fixes how many the image needs, so a later config change does not
  // strand an image half way.
  absl::StatusOr<SqliteStatement> count = db->PrepareCached(
      "INSERT INTO overlap_images(image_id, annotators_needed, submissions, started_ms)"
      " VALUES(?1, ?2, 1, ?3) ON CONFLICT(image_id) DO UPDATE SET submissions = submissions + 1"
      " RETURNING annotators_needed, submissions");
  if (!count.ok()) return count.status();
  count->Bind(1, image_id).Bind(2, static_cast<int64_t>(rule.annotators)).Bind(3, now_ms);
  absl::StatusOr<bool> row = count->Step();
  if (!row.ok()) return row.status();
  outcome.needed = static_cast<int>(count->ColumnInt(0));
  outcome.submissions = static_cast<int>(count->ColumnInt(1));
  absl::StatusOr<bool> done = count->Step();
  if (!done.ok()) return done.status();
  if (outcome.submissions < outcome.needed) return outcome;

  outcome.complete = true;
  absl::StatusOr<std::vector<VersionBoxes>> versions = LatestVersions(db, image_id, outcome.needed);
  if (!versions.ok()) return versions.status();
  std::vector<std::vector<ValidBox>> labels;
  for (const VersionBoxes& v : *versions) labels.push_back(v.boxes);
  ImageAgreement agreement = ComputeAgreement(labels, rule.match_iou);
  outcome.agreement = agreement.agreement;
  outcome.sent_to_review = agreement.agreement < rule.review_below;

  absl::StatusOr<SqliteStatement> finish = db->PrepareCached(
      "UPDATE overlap_images SET completed_ms = ?, agreement = ?, sent_to_review = ?"
      " WHERE image_id = ?");
  if (!finish.ok()) return finish.status();
  absl::Status status = finish->Bind(1, now_ms)
                            .Bind(2, agreement.agreement)
                            .Bind(3, static_cast<int64_t>(outcome.sent_to_review))
                            .Bind(4, image_id)
                            .Run();
  if (!status.ok()) return status;
  absl::StatusOr<SqliteStatement> per_label = db->PrepareCached(
      "INSERT OR REPLACE INTO overlap_agreements(image_id, label_id, annotator, agreement,"
      " labeled_ms) SELECT ?1, id, annotator, ?3, created_ms FROM labels WHERE id = ?2");
  if (!per_label.ok()) return per_label.status();
  for (size_t i = 0; i < versions->size(); ++i) {
    per_label->Reset();
    status = per_label->Bind(1, image_id)
                 .Bind(2, (*versions)[i].label_id)
                 .Bind(3, agreement.per_label[i])
                 .Run();
    if (!status.ok()) return status;
  }
  if (outcome.sent_to_review) {
    // None of the disagreeing versions trains until a reviewer accepts one (only accepted
    // labels train, schema migration 5): they all wait as pending.
    absl::StatusOr<SqliteStatement> hold = db->PrepareCached(
        "UPDATE labels SET status = 'pending' WHERE id = ? AND status = 'accepted'");
    if (!hold.ok()) return hold.status();
    for (const VersionBoxes& v : *versions) {
      hold->Reset();
      status = hold->Bind(1, v.label_id).Run();
      if (!status.ok()) return status;
    }
    // The review workflow takes images to look at again from images_to_review (class changes
    // put theirs there too); class_change_seq 0 says it is not a class change's.
    absl::StatusOr<SqliteStatement> review = db->PrepareCached(
        "INSERT INTO images_to_review(image_id, reason, class_change_seq, created_ms)"
        " VALUES(?, ?, 0, ?) ON CONFLICT(image_id) DO UPDATE SET reason = excluded.reason");
    if (!review.ok()) return review.status();
    status = review->Bind(1, image_id)
                 .Bind(2, absl::StrFormat("annotators disagree: agreement %.2f < %.2f over %d "
                                          "labels",
                                          agreement.agreement, rule.review_below, outcome.needed))
                 .Bind(3, now_ms)
                 .Run();
    if (!status.ok()) return status;
  }
  return outcome;
}

absl::StatusOr<std::vector<OverlapProgress>> ReadOverlapProgress(SqliteDb* db) {
  absl::StatusOr<SqliteStatement> query = db->Prepare(
      "SELECT o.image_id, o.annotators_needed, l.annotator FROM overlap_images o"
      " JOIN labels l ON l.image_id = o.image_id WHERE o.completed_ms = 0"
      " ORDER BY o.image_id, l.version");
  if (!query.ok()) return query.status();
  std::vector<OverlapProgress> progress;
  while (true) {
    absl::StatusOr<bool> row = query->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    if (progress.empty() || progress.back().image_id != query->ColumnInt(0)) {
      progress.push_back({query->ColumnInt(0), static_cast<int>(query->ColumnInt(1)), {}});
    }
    progress.back().annotators.push_back(query->ColumnText(2));
  }
  return progress;
}

}  // namespace labelloop
