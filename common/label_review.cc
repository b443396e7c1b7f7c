#include "common/label_review.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/label_version_insert.h"

namespace labelloop {
namespace {

// Every SELECT of a label version lists these columns in this order.
constexpr char kLabelColumns[] =
    "SELECT l.id, l.image_id, l.version, l.annotator, l.created_ms, l.status, l.source,"
    " l.prelabel_model_version, l.reviewer, l.reviewed_ms, l.reject_reason, l.revises_label_id"
    " FROM labels l";

v1::LabelStatus StatusFromText(const std::string& text) {
  if (text == "pending") return v1::LABEL_STATUS_PENDING;
  if (text == "accepted") return v1::LABEL_STATUS_ACCEPTED;
  if (text == "rejected") return v1::LABEL_STATUS_REJECTED;
  return v1::LABEL_STATUS_UNSPECIFIED;
}

v1::LabelSource SourceFromText(const std::string& text) {
  if (text == "human") return v1::LABEL_SOURCE_HUMAN;
  if (text == "reviewer") return v1::LABEL_SOURCE_REVIEWER;
  if (text == "machine") return v1::LABEL_SOURCE_MACHINE;
  if (text == "import") return v1::LABEL_SOURCE_IMPORT;
  return v1::LABEL_SOURCE_UNSPECIFIED;
}

v1::LabelVersion ReadLabelRow(const SqliteStatement& row) {
  v1::LabelVersion label;
  label.set_label_id(row.ColumnInt(0));
  label.set_image_id(row.ColumnInt(1));
  label.set_version(static_cast<int32_t>(row.ColumnInt(2)));
  label.set_annotator(row.ColumnText(3));
  label.set_created_unix_ms(row.ColumnInt(4));
  label.set_status(StatusFromText(row.ColumnText(5)));
  label.set_source(SourceFromText(row.ColumnText(6)));
  label.set_prelabel_model_version(row.ColumnText(7));
  label.set_reviewer(row.ColumnText(8));
  label.set_reviewed_unix_ms(row.ColumnInt(9));
  label.set_reject_reason(row.ColumnText(10));
  label.set_revises_label_id(row.ColumnInt(11));
  return label;
}

absl::Status AddBoxes(SqliteDb* db, v1::LabelVersion* label) {
  absl::StatusOr<SqliteStatement> boxes = db->PrepareCached(
      "SELECT b.x1, b.y1, b.x2, b.y2, c.name FROM boxes b JOIN classes c ON c.id = b.class_id"
      " WHERE b.label_id = ? ORDER BY b.idx");
  if (!boxes.ok()) return boxes.status();
  boxes->Bind(1, label->label_id());
  while (true) {
    absl::StatusOr<bool> row = boxes->Step();
    if (!row.ok()) return row.status();
    if (!*row) return absl::OkStatus();
    v1::Box* box = label->add_boxes();
    box->set_x1(static_cast<float>(boxes->ColumnDouble(0)));
    box->set_y1(static_cast<float>(boxes->ColumnDouble(1)));
    box->set_x2(static_cast<float>(boxes->ColumnDouble(2)));
    box->set_y2(static_cast<float>(boxes->ColumnDouble(3)));
    box->set_class_name(boxes->ColumnText(4));
  }
}

// The label version `label_id` with its boxes; NOT_FOUND when there is none.
absl::StatusOr<v1::LabelVersion> ReadLabel(SqliteDb* db, int64_t label_id) {
  absl::StatusOr<SqliteStatement> query =
      db->Prepare(absl::StrCat(kLabelColumns, " WHERE l.id = ?"));
  if (!query.ok()) return query.status();
  query->Bind(1, label_id);
  absl::StatusOr<bool> row = query->Step();
  if (!row.ok()) return row.status();
  if (!*row) return absl::NotFoundError(absl::StrCat("no label ", label_id));
  v1::LabelVersion label = ReadLabelRow(*query);
  absl::Status boxes = AddBoxes(db, &label);
  if (!boxes.ok()) return boxes;
  return label;
}

// Checks that `label_id` is pending and `lease_id` is its live review lease; returns the
// reviewer holding it.
absl::StatusOr<std::string> CheckReviewLease(SqliteDb* db, int64_t label_id,
                                             const std::string& lease_id, int64_t now_ms) {
  absl::StatusOr<v1::LabelVersion> label = ReadLabel(db, label_id);
  if (!label.ok()) return label.status();
  if (label->status() != v1::LABEL_STATUS_PENDING) {
    return absl::FailedPreconditionError(absl::StrCat("label ", label_id, " is ",
                                                      v1::LabelStatus_Name(label->status()),
                                                      ", not pending: it was already reviewed"));
  }
  absl::StatusOr<SqliteStatement> lease = db->Prepare(
      "SELECT reviewer, expires_ms FROM review_leases WHERE label_id = ? AND lease_id = ?");
  if (!lease.ok()) return lease.status();
  lease->Bind(1, label_id).Bind(2, lease_id);
  absl::StatusOr<bool> row = lease->Step();
  if (!row.ok()) return row.status();
  if (!*row || lease->ColumnInt(1) <= now_ms) {
    return absl::FailedPreconditionError(
        absl::StrCat("review lease '", lease_id, "' is not the live lease of label ", label_id,
                     " (expired, released or never granted); call GetNextReview for a new one"));
  }
  return lease->ColumnText(0);
}

absl::Status DeleteReviewLease(SqliteDb* db, int64_t label_id) {
  absl::StatusOr<SqliteStatement> remove =
      db->Prepare("DELETE FROM review_leases WHERE label_id = ?");
  if (!remove.ok()) return remove.status();
  return remove->Bind(1, label_id).Run();
}

// Closes a pending label as accepted or rejected by `reviewer`, and drops its lease.
absl::Status Decide(SqliteDb* db, int64_t label_id, const std::string& status,
                    const std::string& reviewer, const std::string& reason, int64_t now_ms) {
  absl::StatusOr<SqliteStatement> update = db->Prepare(
      "UPDATE labels SET status = ?, reviewer = ?, reviewed_ms = ?, reject_reason = ?"
      " WHERE id = ?");
  if (!update.ok()) return update.status();
  absl::Status status_ok = update->Bind(1, status)
                               .Bind(2, reviewer)
                               .Bind(3, now_ms)
                               .Bind(4, reason)
                               .Bind(5, label_id)
                               .Run();
  if (!status_ok.ok()) return status_ok;
  return DeleteReviewLease(db, label_id);
}

constexpr char kFreePending[] =
    " WHERE l.status = 'pending' AND NOT EXISTS(SELECT 1 FROM review_leases r"
    " WHERE r.label_id = l.id AND r.expires_ms > ?1)";

}  // namespace

absl::StatusOr<std::optional<ReviewHandout>> LeaseNextReview(Store* store,
                                                             const std::string& reviewer,
                                                             const std::string& lease_id,
                                                             int64_t expires_ms, int64_t now_ms) {
  std::optional<ReviewHandout> handout;
  // On the write connection, so that the choice and the lease are one serial step: two
  // reviewers asking at once never get the same label.
  absl::Status status = store->Transact([&](SqliteDb* db) -> absl::Status {
    handout.reset();
    absl::StatusOr<SqliteStatement> next =
        db->Prepare(absl::StrCat(kLabelColumns, kFreePending,
                                 " AND l.annotator <> ?2"
                                 // Overlap images whose annotators disagreed (schema 6) come first.
                                 " ORDER BY l.image_id NOT IN (SELECT image_id FROM overlap_images"
                                 " WHERE sent_to_review = 1), l.created_ms, l.id LIMIT 1"));
    if (!next.ok()) return next.status();
    next->Bind(1, now_ms).Bind(2, reviewer);
    absl::StatusOr<bool> row = next->Step();
    if (!row.ok()) return row.status();
    if (!*row) return absl::OkStatus();
    ReviewHandout h;
    h.label = ReadLabelRow(*next);
    absl::Status boxes = AddBoxes(db, &h.label);
    if (!boxes.ok()) return boxes;
    absl::StatusOr<SqliteStatement> image =
        db->Prepare("SELECT uri, width, height FROM images WHERE id = ?");
    if (!image.ok()) return image.status();
    image->Bind(1, h.label.image_id());
    absl::StatusOr<bool> image_row = image->Step();
    if (!image_row.ok()) return image_row.status();
    if (*image_row) {
      h.uri = image->ColumnText(0);
      h.width = static_cast<int>(image->ColumnInt(1));
      h.height = static_cast<int>(image->ColumnInt(2));
    }
    absl::StatusOr<SqliteStatement> lease = db->Prepare(
        "INSERT OR REPLACE INTO review_leases(label_id, lease_id, reviewer, expires_ms)"
        " VALUES(?, ?, ?, ?)");
    if (!lease.ok()) return lease.status();
    absl::Status leased = lease->Bind(1, h.label.label_id())
                              .Bind(2, lease_id)
                              .Bind(3, reviewer)
                              .Bind(4, expires_ms)
                              .Run();
    if (!leased.ok()) return leased;
    h.lease_id = lease_id;
    h.lease_expires_ms = expires_ms;
    absl::StatusOr<SqliteStatement> left =
        db->Prepare(absl::StrCat("SELECT COUNT(*) FROM labels l", kFreePending));
    if (!left.ok()) return left.status();
    left->Bind(1, now_ms);
    absl::StatusOr<bool> count = left->Step();
    if (!count.ok()) return count.status();
    h.pending_left = left->ColumnInt(0);
    handout = std::move(h);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return handout;
}

absl::StatusOr<v1::LabelVersion> AcceptLabel(Store* store, int64_t label_id,
                                             const std::string& lease_id, int64_t now_ms) {
  v1::LabelVersion accepted;
  absl::Status status = store->Transact([&](SqliteDb* db) -> absl::Status {
    absl::StatusOr<std::string> reviewer = CheckReviewLease(db, label_id, lease_id, now_ms);
    if (!reviewer.ok()) return reviewer.status();
    absl::Status decided = Decide(db, label_id, "accepted", *reviewer, "", now_ms);
    if (!decided.ok()) return decided;
    absl::StatusOr<v1::LabelVersion> label = ReadLabel(db, label_id);
    if (!label.ok()) return label.status();
    accepted = *std::move(label);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return accepted;
}

absl::StatusOr<v1::LabelVersion> RejectLabel(Store* store, int64_t label_id,
                                             const std::string& lease_id, const std::string& reason,
                                             int64_t now_ms) {
  if (reason.empty()) {
    return absl::InvalidArgumentError(
        "reason is required: say what the annotator should do differently");
  }
  v1::LabelVersion rejected;
  absl::Status status = store->Transact([&](SqliteDb* db) -> absl::Status {
    absl::StatusOr<std::string> reviewer = CheckReviewLease(db, label_id, lease_id, now_ms);
    if (!reviewer.ok()) return reviewer.status();
    absl::Status decided = Decide(db, label_id, "rejected", *reviewer, reason, now_ms);
    if (!decided.ok()) return decided;
    absl::StatusOr<v1::LabelVersion> label = ReadLabel(db, label_id);
    if (!label.ok()) return label.status();
    absl::StatusOr<SqliteStatement> requeue =
        db->Prepare("UPDATE images SET state = ? WHERE id = ?");
    if (!requeue.ok()) return requeue.status();
    absl::Status requeued = requeue->Bind(1, static_cast<int64_t>(v1::IMAGE_STATE_UNLABELED))
                                .Bind(2, label->image_id())
                                .Run();
    if (!requeued.ok()) return requeued;
    rejected = *std::move(label);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return rejected;
}

absl::StatusOr<EditedLabel> EditLabel(Store* store, int64_t label_id, const std::string& lease_id,
                                      const std::vector<ValidBox>& boxes, int64_t now_ms) {
  EditedLabel result;
  absl::Status status = store->Transact([&](SqliteDb* db) -> absl::Status {
    absl::StatusOr<std::string> reviewer = CheckReviewLease(db, label_id, lease_id, now_ms);
    if (!reviewer.ok()) return reviewer.status();
    absl::StatusOr<v1::LabelVersion> old = ReadLabel(db, label_id);
    if (!old.ok()) return old.status();
    LabelVersionRow row;
    row.image_id = old->image_id();
    row.annotator = *reviewer;
    row.created_ms = now_ms;
    row.lease_id = lease_id;
    row.prelabel_model_version = old->prelabel_model_version();
    row.source = "reviewer";
    row.reviewer = *reviewer;
    row.reviewed_ms = now_ms;
    row.revises_label_id = label_id;
    absl::StatusOr<InsertedLabelVersion> inserted = InsertLabelVersion(db, row, boxes);
    if (!inserted.ok()) return inserted.status();
    const int64_t new_id = inserted->id;
    const int64_t new_version = inserted->version;
    absl::Status decided = Decide(
        db, label_id, "rejected", *reviewer,
        absl::StrCat("replaced by ", *reviewer, "'s edit (version ", new_version, ")"), now_ms);
    if (!decided.ok()) return decided;
    absl::StatusOr<v1::LabelVersion> closed = ReadLabel(db, label_id);
    if (!closed.ok()) return closed.status();
    absl::StatusOr<v1::LabelVersion> edited = ReadLabel(db, new_id);
    if (!edited.ok()) return edited.status();
    result.closed = *std::move(closed);
    result.edited = *std::move(edited);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return result;
}

absl::Status ReleaseReview(Store* store, int64_t label_id, const std::string& lease_id) {
  return store->Transact([&](SqliteDb* db) -> absl::Status {
    absl::StatusOr<SqliteStatement> remove =
        db->Prepare("DELETE FROM review_leases WHERE label_id = ? AND lease_id = ?");
    if (!remove.ok()) return remove.status();
    absl::Status removed = remove->Bind(1, label_id).Bind(2, lease_id).Run();
    if (!removed.ok()) return removed;
    if (db->Changes() != 1) {
      return absl::FailedPreconditionError(
          absl::StrCat("review lease '", lease_id, "' is not a lease of label ", label_id));
    }
    return absl::OkStatus();
  });
}

absl::StatusOr<int64_t> LabelImage(Store* store, int64_t label_id) {
  int64_t image_id = 0;
  absl::Status status = store->Read([&](SqliteDb* db) -> absl::Status {
    absl::StatusOr<SqliteStatement> query = db->Prepare("SELECT image_id FROM labels WHERE id = ?");
    if (!query.ok()) return query.status();
    query->Bind(1, label_id);
    absl::StatusOr<bool> row = query->Step();
    if (!row.ok()) return row.status();
    if (!*row) return absl::NotFoundError(absl::StrCat("no label ", label_id));
    image_id = query->ColumnInt(0);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return image_id;
}

absl::StatusOr<std::vector<v1::LabelVersion>> LabelHistory(Store* store, int64_t image_id) {
  std::vector<v1::LabelVersion> versions;
  absl::Status status = store->Read([&](SqliteDb* db) -> absl::Status {
    absl::StatusOr<SqliteStatement> image = db->Prepare("SELECT 1 FROM images WHERE id = ?");
    if (!image.ok()) return image.status();
    image->Bind(1, image_id);
    absl::StatusOr<bool> found = image->Step();
    if (!found.ok()) return found.status();
    if (!*found) return absl::NotFoundError(absl::StrCat("no image ", image_id));
    absl::StatusOr<SqliteStatement> query =
        db->Prepare(absl::StrCat(kLabelColumns, " WHERE l.image_id = ? ORDER BY l.version"));
    if (!query.ok()) return query.status();
    query->Bind(1, image_id);
    while (true) {
      absl::StatusOr<bool> row = query->Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      versions.push_back(ReadLabelRow(*query));
    }
    for (v1::LabelVersion& label : versions) {
      absl::Status boxes = AddBoxes(db, &label);
      if (!boxes.ok()) return boxes;
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return versions;
}

absl::StatusOr<absl::flat_hash_map<int64_t, v1::LabelVersion>> RejectedLatestLabels(
    Store* store, const std::vector<int64_t>& image_ids) {
  absl::flat_hash_map<int64_t, v1::LabelVersion> rejected;
  if (image_ids.empty()) return rejected;
  absl::Status status = store->Read([&](SqliteDb* db) -> absl::Status {
    absl::StatusOr<SqliteStatement> query = db->Prepare(
        absl::StrCat(kLabelColumns, " WHERE l.image_id IN (", absl::StrJoin(image_ids, ","),
                     ") AND l.status = 'rejected' AND NOT EXISTS(SELECT 1 FROM labels l2"
                     " WHERE l2.image_id = l.image_id AND l2.version > l.version)"));
    if (!query.ok()) return query.status();
    while (true) {
      absl::StatusOr<bool> row = query->Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      v1::LabelVersion label = ReadLabelRow(*query);
      int64_t image_id = label.image_id();
      rejected[image_id] = std::move(label);
    }
    for (auto& [image_id, label] : rejected) {
      absl::Status boxes = AddBoxes(db, &label);
      if (!boxes.ok()) return boxes;
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return rejected;
}

absl::StatusOr<int64_t> CountFreePendingLabels(Store* store, int64_t now_ms) {
  int64_t count = 0;
  absl::Status status = store->Read([&](SqliteDb* db) -> absl::Status {
    absl::StatusOr<SqliteStatement> query =
        db->Prepare(absl::StrCat("SELECT COUNT(*) FROM labels l", kFreePending));
    if (!query.ok()) return query.status();
    query->Bind(1, now_ms);
    absl::StatusOr<bool> row = query->Step();
    if (!row.ok()) return row.status();
    count = query->ColumnInt(0);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return count;
}

}  // namespace labelloop
