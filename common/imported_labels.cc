#include "common/imported_labels.h"

#include "common/label_version_insert.h"

namespace labelloop {

absl::StatusOr<std::vector<StoredLabel>> StoreImportedLabels(
    Store* store, const std::vector<ImportedLabelRow>& labels, int64_t now_ms) {
  std::vector<StoredLabel> stored;
  absl::Status committed = store->Transact([&](SqliteDb* db) -> absl::Status {
    stored.clear();
    absl::StatusOr<SqliteStatement> mark =
        db->PrepareCached("UPDATE images SET state = ? WHERE id = ?");
    if (!mark.ok()) return mark.status();
    absl::StatusOr<SqliteStatement> unlease =
        db->PrepareCached("DELETE FROM leases WHERE image_id = ?");
    if (!unlease.ok()) return unlease.status();
    for (const ImportedLabelRow& label : labels) {
      LabelVersionRow row;
      row.image_id = label.image_id;
      row.annotator = label.annotator;
      row.created_ms = now_ms;
      row.source = "import";
      absl::StatusOr<InsertedLabelVersion> inserted = InsertLabelVersion(db, row, label.boxes);
      if (!inserted.ok()) return inserted.status();
      StoredLabel& s = stored.emplace_back();
      s.id = inserted->id;
      s.version = inserted->version;
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
