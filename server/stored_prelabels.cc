#include "server/stored_prelabels.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "labelloop/v1/model.pb.h"

namespace labelloop {

absl::StatusOr<absl::flat_hash_map<int64_t, StoredPrelabels>> ReadStoredPrelabels(
    Store* store, const std::vector<int64_t>& image_ids) {
  absl::flat_hash_map<int64_t, StoredPrelabels> found;
  if (image_ids.empty()) return found;
  // Ids are integers from the queue, and a batch is at most limits.max_batch_count of them.
  absl::Status status = store->Read([&](SqliteDb* db) -> absl::Status {
    absl::StatusOr<SqliteStatement> query =
        db->Prepare(absl::StrCat("SELECT image_id, model_version, predictions FROM image_scores"
                                 " WHERE image_id IN (",
                                 absl::StrJoin(image_ids, ","), ")"));
    if (!query.ok()) return query.status();
    while (true) {
      absl::StatusOr<bool> row = query->Step();
      if (!row.ok()) return row.status();
      if (!*row) return absl::OkStatus();
      v1::PredictResponse predictions;
      // A row that does not parse is treated as missing: the image is scored again.
      if (!predictions.ParseFromString(query->ColumnBlob(2))) continue;
      StoredPrelabels& stored = found[query->ColumnInt(0)];
      stored.model_version = query->ColumnText(1);
      stored.boxes = std::move(*predictions.mutable_detections());
    }
  });
  if (!status.ok()) return status;
  return found;
}

}  // namespace labelloop
