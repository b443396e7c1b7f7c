#include "common/machine_labels.h"

#include "absl/strings/str_cat.h"
#include "common/label_version_insert.h"

namespace labelloop {

std::string MachineAnnotator(const std::string& model_version) {
  return absl::StrCat("auto:", model_version);
}

absl::StatusOr<std::vector<int64_t>> StoreMachineLabels(Store* store,
                                                        const std::vector<MachineLabelRow>& labels,
                                                        int64_t now_ms) {
  std::vector<int64_t> stored;
  absl::Status committed = store->Transact([&](SqliteDb* db) -> absl::Status {
    stored.clear();
    absl::StatusOr<SqliteStatement> free = db->PrepareCached(
        "SELECT 1 FROM images i WHERE i.id = ?1 AND i.state = ?2"
        " AND NOT EXISTS(SELECT 1 FROM labels WHERE image_id = ?1)"
        " AND NOT EXISTS(SELECT 1 FROM leases WHERE image_id = ?1)");
    if (!free.ok()) return free.status();
    absl::StatusOr<SqliteStatement> mark =
        db->PrepareCached("UPDATE images SET state = ? WHERE id = ?");
    if (!mark.ok()) return mark.status();
    for (const MachineLabelRow& label : labels) {
      free->Reset();
      free->Bind(1, label.image_id).Bind(2, static_cast<int64_t>(v1::IMAGE_STATE_UNLABELED));
      absl::StatusOr<bool> is_free = free->Step();
      if (!is_free.ok()) return is_free.status();
      if (!*is_free) continue;
      LabelVersionRow row;
      row.image_id = label.image_id;
      row.annotator = MachineAnnotator(label.model_version);
      row.created_ms = now_ms;
      row.prelabel_model_version = label.model_version;
      row.status = label.pending ? "pending" : "accepted";
      row.source = "machine";
      absl::StatusOr<InsertedLabelVersion> inserted = InsertLabelVersion(db, row, label.boxes);
      if (!inserted.ok()) return inserted.status();
      mark->Reset();
      absl::Status status = mark->Bind(1, static_cast<int64_t>(v1::IMAGE_STATE_LABELED))
                                .Bind(2, label.image_id)
                                .Run();
      if (!status.ok()) return status;
      stored.push_back(label.image_id);
    }
    return absl::OkStatus();
  });
  if (!committed.ok()) return committed;
  return stored;
}

absl::StatusOr<absl::flat_hash_map<std::string, MachineLabelCounts>> CountMachineLabels(
    Store* store) {
  absl::flat_hash_map<std::string, MachineLabelCounts> counts;
  absl::Status status = store->Read([&](SqliteDb* db) -> absl::Status {
    // Only the versions auto-labeling wrote (annotator auto:vN), not class-change rewrites of
    // them, which keep source 'machine' too.
    absl::StatusOr<SqliteStatement> query = db->Prepare(
        "SELECT prelabel_model_version, COUNT(DISTINCT image_id),"
        " SUM(status = 'pending'), SUM(status = 'rejected') FROM labels"
        " WHERE source = 'machine' AND annotator = 'auto:' || prelabel_model_version"
        " GROUP BY prelabel_model_version");
    if (!query.ok()) return query.status();
    while (true) {
      absl::StatusOr<bool> row = query->Step();
      if (!row.ok()) return row.status();
      if (!*row) return absl::OkStatus();
      counts[query->ColumnText(0)] = {query->ColumnInt(1), query->ColumnInt(2),
                                      query->ColumnInt(3)};
    }
  });
  if (!status.ok()) return status;
  return counts;
}

}  // namespace labelloop
