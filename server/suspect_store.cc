#include "server/suspect_store.h"

#include "absl/strings/str_cat.h"

namespace labelloop {
namespace {

constexpr char kColumns[] =
    "SELECT s.id, s.kind, s.status, s.image_id, s.label_id, s.label_version, s.model_version,"
    " s.suspicion, s.reason, s.label_box_index, s.label_box, s.prediction, s.iou, s.created_ms,"
    " s.reviewer, s.reviewed_ms FROM suspects s";

v1::Suspect ReadRow(const SqliteStatement& row) {
  v1::Suspect s;
  s.set_id(row.ColumnInt(0));
  s.set_kind(static_cast<v1::SuspectKind>(row.ColumnInt(1)));
  s.set_status(static_cast<v1::SuspectStatus>(row.ColumnInt(2)));
  s.set_image_id(row.ColumnInt(3));
  s.set_label_id(row.ColumnInt(4));
  s.set_label_version(static_cast<int32_t>(row.ColumnInt(5)));
  s.set_model_version(row.ColumnText(6));
  s.set_suspicion(static_cast<float>(row.ColumnDouble(7)));
  s.set_reason(row.ColumnText(8));
  s.set_label_box_index(static_cast<int32_t>(row.ColumnInt(9)));
  const std::string label_box = row.ColumnBlob(10);
  if (!label_box.empty()) s.mutable_label_box()->ParseFromString(label_box);
  const std::string prediction = row.ColumnBlob(11);
  if (!prediction.empty()) s.mutable_prediction()->ParseFromString(prediction);
  s.set_iou(static_cast<float>(row.ColumnDouble(12)));
  s.set_created_unix_ms(row.ColumnInt(13));
  s.set_reviewer(row.ColumnText(14));
  s.set_reviewed_unix_ms(row.ColumnInt(15));
  return s;
}

std::string Serialized(const v1::Box& box) {
  return box.ByteSizeLong() == 0 ? std::string() : box.SerializeAsString();
}

}  // namespace

absl::Status StoreSuspects(Store* store, const std::string& model_version,
                           const std::vector<LabelFindings>& labels, int64_t now_ms) {
  return store->Transact([&](SqliteDb* db) -> absl::Status {
    absl::StatusOr<SqliteStatement> reviewed = db->Prepare(absl::StrCat(
        kColumns,
        " WHERE s.label_id = ? AND s.status != ", static_cast<int>(v1::SUSPECT_STATUS_OPEN)));
    absl::StatusOr<SqliteStatement> clear =
        db->Prepare(absl::StrCat("DELETE FROM suspects WHERE label_id = ? AND status = ",
                                 static_cast<int>(v1::SUSPECT_STATUS_OPEN)));
    absl::StatusOr<SqliteStatement> insert = db->Prepare(
        "INSERT INTO suspects(image_id, label_id, label_version, model_version, kind, status,"
        " suspicion, reason, label_box_index, label_box, prediction, iou, created_ms)"
        " SELECT ?1, ?2, l.version, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12 FROM labels l"
        " WHERE l.id = ?2");
    for (const auto* statement : {&reviewed, &clear, &insert}) {
      if (!statement->ok()) return statement->status();
    }
    for (const LabelFindings& label : labels) {
      reviewed->Reset();
      reviewed->Bind(1, label.label_id);
      std::vector<v1::Suspect> done;
      while (true) {
        absl::StatusOr<bool> row = reviewed->Step();
        if (!row.ok()) return row.status();
        if (!*row) break;
        done.push_back(ReadRow(*reviewed));
      }
      clear->Reset();
      if (absl::Status s = clear->Bind(1, label.label_id).Run(); !s.ok()) return s;
      for (const SuspectFinding& f : label.findings) {
        bool seen = false;
        for (const v1::Suspect& r : done) seen = seen || SameFinding(f, r);
        if (seen) continue;
        insert->Reset();
        absl::Status s = insert->Bind(1, label.image_id)
                             .Bind(2, label.label_id)
                             .Bind(3, model_version)
                             .Bind(4, static_cast<int64_t>(f.kind))
                             .Bind(5, static_cast<int64_t>(v1::SUSPECT_STATUS_OPEN))
                             .Bind(6, static_cast<double>(f.suspicion))
                             .Bind(7, f.reason)
                             .Bind(8, static_cast<int64_t>(f.label_box_index))
                             .BindBlob(9, Serialized(f.label_box))
                             .BindBlob(10, Serialized(f.prediction))
                             .Bind(11, static_cast<double>(f.iou))
                             .Bind(12, now_ms)
                             .Run();
        if (!s.ok()) return s;
      }
    }
    return absl::OkStatus();
  });
}

absl::StatusOr<std::vector<v1::Suspect>> ListSuspects(Store* store,
                                                      const v1::ListSuspectLabelsRequest& request) {
  int64_t limit = request.limit() == 0 ? 100 : request.limit();
  if (limit < 0 || limit > 10000) {
    return absl::InvalidArgumentError(
        absl::StrCat("limit must be in [0, 10000] (0: 100), got ", request.limit()));
  }
  const v1::SuspectStatus status = request.status() == v1::SUSPECT_STATUS_UNSPECIFIED
                                       ? v1::SUSPECT_STATUS_OPEN
                                       : request.status();
  std::vector<v1::Suspect> suspects;
  absl::Status read = store->Read([&](SqliteDb* db) -> absl::Status {
    absl::StatusOr<SqliteStatement> query = db->Prepare(absl::StrCat(
        kColumns,
        " WHERE s.status = ?1 AND (?2 = 0 OR s.kind = ?2) AND (?3 = 0 OR s.image_id = ?3)"
        " AND s.label_version = (SELECT MAX(version) FROM labels WHERE image_id = s.image_id)"
        " ORDER BY s.suspicion DESC, s.id LIMIT ?4"));
    if (!query.ok()) return query.status();
    query->Bind(1, static_cast<int64_t>(status))
        .Bind(2, static_cast<int64_t>(request.kind()))
        .Bind(3, request.image_id())
        .Bind(4, limit);
    while (true) {
      absl::StatusOr<bool> row = query->Step();
      if (!row.ok()) return row.status();
      if (!*row) return absl::OkStatus();
      suspects.push_back(ReadRow(*query));
    }
  });
  if (!read.ok()) return read;
  return suspects;
}

absl::StatusOr<v1::Suspect> ReviewSuspect(Store* store, int64_t suspect_id,
                                          v1::SuspectStatus status, const std::string& reviewer,
                                          int64_t now_ms) {
  if (status != v1::SUSPECT_STATUS_DISMISSED && status != v1::SUSPECT_STATUS_FIXED) {
    return absl::InvalidArgumentError("status must be DISMISSED or FIXED");
  }
  absl::Status written = store->Transact([&](SqliteDb* db) -> absl::Status {
    absl::StatusOr<SqliteStatement> update =
        db->Prepare("UPDATE suspects SET status = ?, reviewer = ?, reviewed_ms = ? WHERE id = ?");
    if (!update.ok()) return update.status();
    absl::Status s = update->Bind(1, static_cast<int64_t>(status))
                         .Bind(2, reviewer)
                         .Bind(3, now_ms)
                         .Bind(4, suspect_id)
                         .Run();
    if (!s.ok()) return s;
    if (db->Changes() != 1) {
      return absl::NotFoundError(absl::StrCat("no suspect with id ", suspect_id));
    }
    return absl::OkStatus();
  });
  if (!written.ok()) return written;
  v1::Suspect suspect;
  absl::Status read = store->Read([&](SqliteDb* db) -> absl::Status {
    absl::StatusOr<SqliteStatement> query = db->Prepare(absl::StrCat(kColumns, " WHERE s.id = ?"));
    if (!query.ok()) return query.status();
    query->Bind(1, suspect_id);
    absl::StatusOr<bool> row = query->Step();
    if (!row.ok()) return row.status();
    if (!*row) return absl::NotFoundError(absl::StrCat("no suspect with id ", suspect_id));
    suspect = ReadRow(*query);
    return absl::OkStatus();
  });
  if (!read.ok()) return read;
  return suspect;
}

}  // namespace labelloop
