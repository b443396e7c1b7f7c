#include "common/label_version_insert.h"

namespace labelloop {

absl::StatusOr<InsertedLabelVersion> InsertLabelVersion(SqliteDb* db, const LabelVersionRow& row,
                                                        absl::Span<const ValidBox> boxes) {
  absl::StatusOr<SqliteStatement> insert = db->PrepareCached(
      "INSERT INTO labels(image_id, version, annotator, created_ms, lease_id,"
      " prelabel_model_version, status, source, reviewer, reviewed_ms, revises_label_id)"
      " VALUES(?1, (SELECT COALESCE(MAX(version), 0) + 1 FROM labels WHERE image_id = ?1),"
      " ?2, ?3, ?4,"
      " COALESCE(NULLIF(?5, ''), CASE WHEN ?6 THEN"
      " (SELECT model_version FROM image_scores WHERE image_id = ?1) END, ''),"
      " ?7, ?8, ?9, ?10, ?11) RETURNING id, version");
  if (!insert.ok()) return insert.status();
  insert->Bind(1, row.image_id)
      .Bind(2, row.annotator)
      .Bind(3, row.created_ms)
      .Bind(4, row.lease_id)
      .Bind(5, row.prelabel_model_version)
      .Bind(6, static_cast<int64_t>(row.prelabel_from_stored_scores))
      .Bind(7, row.status)
      .Bind(8, row.source)
      .Bind(9, row.reviewer)
      .Bind(10, row.reviewed_ms)
      .Bind(11, row.revises_label_id);
  absl::StatusOr<bool> stepped = insert->Step();
  if (!stepped.ok()) return stepped.status();
  InsertedLabelVersion inserted;
  inserted.id = insert->ColumnInt(0);
  inserted.version = static_cast<int>(insert->ColumnInt(1));
  // RETURNING rows come before the statement finishes; step it to completion.
  absl::StatusOr<bool> done = insert->Step();
  if (!done.ok()) return done.status();

  absl::StatusOr<SqliteStatement> box = db->PrepareCached(
      "INSERT INTO boxes(label_id, idx, x1, y1, x2, y2, class_id) VALUES(?,?,?,?,?,?,?)");
  if (!box.ok()) return box.status();
  for (size_t i = 0; i < boxes.size(); ++i) {
    const ValidBox& b = boxes[i];
    box->Reset();
    absl::Status status = box->Bind(1, inserted.id)
                              .Bind(2, static_cast<int64_t>(i))
                              .Bind(3, static_cast<double>(b.x1))
                              .Bind(4, static_cast<double>(b.y1))
                              .Bind(5, static_cast<double>(b.x2))
                              .Bind(6, static_cast<double>(b.y2))
                              .Bind(7, b.class_id)
                              .Run();
    if (!status.ok()) return status;
  }
  return inserted;
}

}  // namespace labelloop
