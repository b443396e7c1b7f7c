#include "common/imported_labels.h"

namespace labelloop {

absl::StatusOr<std::vector<StoredLabel>> StoreImportedLabels(
    Store* store, const std::vector<ImportedLabelRow>& labels, int64_t now_ms) {
  std::vector<StoredLabel> stored;
  absl::Status committed = store->Transact([&](SqliteDb* db) -> absl::Status {
    stored.clear();
    absl::StatusOr<SqliteStatement> insert = db->PrepareCached(
        "INSERT INTO labels(image_id, version, annotator, created_ms, lease_id, status, source)"
        " VALUES(?1, (SELECT COALESCE(MAX(version), 0) + 1 FROM labels WHERE image_id = ?1),"
        " ?2, ?3, '', 'accepted', 'import') RETURNING id, version");
    if (!insert.ok()) return insert.status();
    absl::StatusOr<SqliteStatement> box = db->PrepareCached(
        "INSERT INTO boxes(label_id, idx, x1, y1, x2, y2, class_id) VALUES(?,?,?,?,?,?,?)");
    if (!box.ok()) return box.status();
    absl::StatusOr<SqliteStatement> mark =
        db->PrepareCached("UPDATE images SET state = ? WHERE id = ?");
    if (!mark.ok()) return mark.status();
    absl::StatusOr<SqliteStatement> unlease =
        db->PrepareCached("DELETE FROM leases WHERE image_id = ?");
    if (!unlease.ok()) return unlease.status();
    for (const ImportedLabelRow& label : labels) {
      insert->Reset();
      insert->Bind(1, label.image_id).Bind(2, label.annotator).Bind(3, now_ms);
      absl::StatusOr<bool> row = insert->Step();
      if (!row.ok()) return row.status();
      StoredLabel& s = stored.emplace_back();
      s.id = insert->ColumnInt(0);
      s.version = static_cast<int>(insert->ColumnInt(1));
      absl::StatusOr<bool> done = insert->Step();
      if (!done.ok()) return done.status();
      for (size_t i = 0; i < label.boxes.size(); ++i) {
        const ValidBox& b = label.boxes[i];
        box->Reset();
        absl::Status status = box->Bind(1, s.id)
                                  .Bind(2, static_cast<int64_t>(i))
                                  .Bind(3, static_cast<double>(b.x1))
                                  .Bind(4, static_cast<double>(b.y1))
                                  .Bind(5, static_cast<double>(b.x2))
                                  .Bind(6, static_cast<double>(b.y2))
                                  .Bind(7, b.class_id)
                                  .Run();
        if (!status.ok()) return status;
      }
      mark->Reset();
      absl::Status status = mark->Bind(1, static_cast<int64_t>(v1::IMAGE_STATE_LABELED))
                                .Bind(2, label.image_id)
                                .Run();
      if (!status.ok()) return status;
      unlease->Reset();
      status = unlease->Bind(1, label.image_id).Run();
      if (!status.ok()) return status;
    }
    return absl::OkStatus();
  });
  if (!committed.ok()) return committed;
  return stored;
}

}  // namespace labelloop
