#include "benchmarks/queue_load/label_audit.h"

#include "absl/strings/str_cat.h"
#include "common/store.h"

namespace labelloop {
namespace {

absl::StatusOr<int64_t> CountOf(SqliteDb* db, const std::string& sql) {
  absl::StatusOr<SqliteStatement> query = db->Prepare(sql);
  if (!query.ok()) return query.status();
  absl::StatusOr<bool> row = query->Step();
  if (!row.ok()) return row.status();
  return query->ColumnInt(0);
}

}  // namespace

absl::StatusOr<LabelAudit> AuditLabels(Store* store) {
  LabelAudit audit;
  absl::Status status = store->Read([&](SqliteDb* db) -> absl::Status {
    const std::pair<int64_t*, std::string> counts[] = {
        {&audit.labeled_images, absl::StrCat("SELECT COUNT(*) FROM images WHERE state = ",
                                             static_cast<int>(v1::IMAGE_STATE_LABELED))},
        {&audit.label_rows, "SELECT COUNT(*) FROM labels"},
        {&audit.images_with_several_labels,
         "SELECT COUNT(*) FROM (SELECT image_id FROM labels GROUP BY image_id"
         " HAVING COUNT(*) > 1)"},
        {&audit.images_with_several_annotators,
         "SELECT COUNT(*) FROM (SELECT image_id FROM labels GROUP BY image_id"
         " HAVING COUNT(DISTINCT annotator) > 1)"},
    };
    for (const auto& [out, sql] : counts) {
      absl::StatusOr<int64_t> count = CountOf(db, sql);
      if (!count.ok()) return count.status();
      *out = *count;
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return audit;
}

}  // namespace labelloop
