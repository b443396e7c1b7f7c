#include "common/class_changes.h"

#include <algorithm>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/label_version_insert.h"

namespace labelloop {
namespace {

// Sentinel target of a delete: the box is dropped.
constexpr int64_t kDrop = -1;

absl::StatusOr<absl::flat_hash_map<std::string, int64_t>> ActiveClasses(SqliteDb* db) {
  absl::StatusOr<SqliteStatement> query =
      db->Prepare("SELECT id, name FROM classes WHERE retired_ms = 0");
  if (!query.ok()) return query.status();
  absl::flat_hash_map<std::string, int64_t> ids;
  while (true) {
    absl::StatusOr<bool> row = query->Step();
    if (!row.ok()) return row.status();
    if (!*row) return ids;
    ids[query->ColumnText(1)] = query->ColumnInt(0);
  }
}

absl::StatusOr<int64_t> ActiveId(const absl::flat_hash_map<std::string, int64_t>& active,
                                 const std::string& name) {
  auto it = active.find(name);
  if (it == active.end()) {
    return absl::NotFoundError(absl::StrCat("no class \"", name, "\" (see labelloop classes ls)"));
  }
  return it->second;
}

// Adds `name`, or revives it when a retired class has it; returns its id.
absl::StatusOr<int64_t> AddOrRevive(SqliteDb* db, const std::string& name, int64_t now_ms) {
  absl::StatusOr<SqliteStatement> add = db->Prepare(
      "INSERT INTO classes(name, created_ms) VALUES(?, ?)"
      " ON CONFLICT(name) DO UPDATE SET retired_ms = 0 RETURNING id");
  if (!add.ok()) return add.status();
  add->Bind(1, name).Bind(2, now_ms);
  absl::StatusOr<bool> row = add->Step();
  if (!row.ok()) return row.status();
  const int64_t id = add->ColumnInt(0);
  absl::StatusOr<bool> done = add->Step();
  if (!done.ok()) return done.status();
  return id;
}

absl::Status Retire(SqliteDb* db, int64_t class_id, int64_t now_ms) {
  absl::StatusOr<SqliteStatement> retire =
      db->Prepare("UPDATE classes SET retired_ms = ? WHERE id = ?");
  if (!retire.ok()) return retire.status();
  return retire->Bind(1, now_ms).Bind(2, class_id).Run();
}

// Records the change (counts filled in later by FinishChange) and returns its sequence number.
absl::StatusOr<int64_t> BeginChange(SqliteDb* db, v1::ClassChangeKind kind,
                                    const std::vector<std::string>& from, const std::string& to,
                                    int64_t now_ms) {
  absl::StatusOr<SqliteStatement> insert = db->Prepare(
      "INSERT INTO class_changes(kind, from_names, to_name, boxes_remapped, boxes_dropped,"
      " created_ms) VALUES(?, ?, ?, 0, 0, ?)");
  if (!insert.ok()) return insert.status();
  absl::Status status = insert->Bind(1, static_cast<int64_t>(kind))
                            .Bind(2, absl::StrJoin(from, ","))
                            .Bind(3, to)
                            .Bind(4, now_ms)
                            .Run();
  if (!status.ok()) return status;
  return db->LastInsertRowId();
}

struct Rewritten {
  int64_t remapped = 0;
  int64_t dropped = 0;
};

// Writes a new version of every latest label that has a box of a class in `remap` (class id ->
// new class id, or kDrop), records it and marks the image for review. The new version keeps the
// old one's review state and source: a class change rewrites boxes, it does not review them, so a
// pending label stays pending (and a rejected one rejected), and a machine label stays a machine
// label. It revises the old version (revises_label_id); an old pending version is closed as
// rejected so that reviewers see only the rewritten one.
absl::StatusOr<Rewritten> RewriteLatestLabels(SqliteDb* db,
                                              const absl::flat_hash_map<int64_t, int64_t>& remap,
                                              int64_t seq, const std::string& reason,
                                              int64_t now_ms) {
  std::vector<std::string> ids;
  for (const auto& [from, to] : remap) ids.push_back(absl::StrCat(from));
  absl::StatusOr<SqliteStatement> latest = db->Prepare(absl::StrCat(
      "SELECT l.id, l.image_id, l.prelabel_model_version, l.status, l.source, l.reviewer,"
      " l.reviewed_ms, l.reject_reason FROM labels l"
      " WHERE NOT EXISTS(SELECT 1 FROM labels l2 WHERE l2.image_id = l.image_id"
      " AND l2.version > l.version)"
      " AND EXISTS(SELECT 1 FROM boxes b WHERE b.label_id = l.id AND b.class_id IN (",
      absl::StrJoin(ids, ","), ")) ORDER BY l.image_id"));
  if (!latest.ok()) return latest.status();
  struct Old {
    int64_t label_id;
    int64_t image_id;
    std::string prelabel_model_version;
    std::string status;
    std::string source;
    std::string reviewer;
    int64_t reviewed_ms;
    std::string reject_reason;
  };
  std::vector<Old> olds;
  while (true) {
    absl::StatusOr<bool> row = latest->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    olds.push_back({latest->ColumnInt(0), latest->ColumnInt(1), latest->ColumnText(2),
                    latest->ColumnText(3), latest->ColumnText(4), latest->ColumnText(5),
                    latest->ColumnInt(6), latest->ColumnText(7)});
  }
  absl::StatusOr<SqliteStatement> read_boxes =
      db->Prepare("SELECT x1, y1, x2, y2, class_id FROM boxes WHERE label_id = ? ORDER BY idx");
  absl::StatusOr<SqliteStatement> keep_reason =
      db->Prepare("UPDATE labels SET reject_reason = ? WHERE id = ?");
  absl::StatusOr<SqliteStatement> close_pending = db->Prepare(
      "UPDATE labels SET status = 'rejected', reviewed_ms = ?, reject_reason = ? WHERE id = ?");
  absl::StatusOr<SqliteStatement> end_review_lease =
      db->Prepare("DELETE FROM review_leases WHERE label_id = ?");
  absl::StatusOr<SqliteStatement> record = db->Prepare(
      "INSERT INTO class_change_labels(seq, image_id, old_label_id, new_label_id)"
      " VALUES(?, ?, ?, ?)");
  absl::StatusOr<SqliteStatement> review = db->Prepare(
      "INSERT OR REPLACE INTO images_to_review(image_id, reason, class_change_seq, created_ms)"
      " VALUES(?, ?, ?, ?)");
  for (const auto* statement :
       {&read_boxes, &keep_reason, &close_pending, &end_review_lease, &record, &review}) {
    if (!statement->ok()) return statement->status();
  }
  const std::string annotator = absl::StrCat("class change ", seq);
  Rewritten counts;
  for (const Old& old : olds) {
    std::vector<ValidBox> boxes;
    read_boxes->Reset();
    read_boxes->Bind(1, old.label_id);
    while (true) {
      absl::StatusOr<bool> row = read_boxes->Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      int64_t class_id = read_boxes->ColumnInt(4);
      if (auto it = remap.find(class_id); it != remap.end()) {
        if (it->second == kDrop) {
          ++counts.dropped;
          continue;
        }
        class_id = it->second;
        ++counts.remapped;
      }
      boxes.push_back({static_cast<float>(read_boxes->ColumnDouble(0)),
                       static_cast<float>(read_boxes->ColumnDouble(1)),
                       static_cast<float>(read_boxes->ColumnDouble(2)),
                       static_cast<float>(read_boxes->ColumnDouble(3)), class_id});
    }
    LabelVersionRow row;
    row.image_id = old.image_id;
    row.annotator = annotator;
    row.created_ms = now_ms;
    row.prelabel_model_version = old.prelabel_model_version;
    row.status = old.status;
    row.source = old.source;
    row.reviewer = old.reviewer;
    row.reviewed_ms = old.reviewed_ms;
    row.revises_label_id = old.label_id;
    absl::StatusOr<InsertedLabelVersion> inserted = InsertLabelVersion(db, row, boxes);
    if (!inserted.ok()) return inserted.status();
    const int64_t new_label_id = inserted->id;
    absl::Status status;
    if (old.status == "rejected") {
      // The reason stays with the image: the annotator who relabels it sees it as context.
      keep_reason->Reset();
      status = keep_reason->Bind(1, old.reject_reason).Bind(2, new_label_id).Run();
      if (!status.ok()) return status;
    } else if (old.status == "pending") {
      close_pending->Reset();
      status = close_pending->Bind(1, now_ms)
                   .Bind(2, absl::StrCat("replaced by version ", inserted->version, " (", annotator,
                                         ")"))
                   .Bind(3, old.label_id)
                   .Run();
      if (!status.ok()) return status;
      end_review_lease->Reset();
      status = end_review_lease->Bind(1, old.label_id).Run();
      if (!status.ok()) return status;
    }
    record->Reset();
    status = record->Bind(1, seq)
                 .Bind(2, old.image_id)
                 .Bind(3, old.label_id)
                 .Bind(4, new_label_id)
                 .Run();
    if (!status.ok()) return status;
    review->Reset();
    status = review->Bind(1, old.image_id).Bind(2, reason).Bind(3, seq).Bind(4, now_ms).Run();
    if (!status.ok()) return status;
  }
  absl::StatusOr<SqliteStatement> finish =
      db->Prepare("UPDATE class_changes SET boxes_remapped = ?, boxes_dropped = ? WHERE seq = ?");
  if (!finish.ok()) return finish.status();
  absl::Status status = finish->Bind(1, counts.remapped).Bind(2, counts.dropped).Bind(3, seq).Run();
  if (!status.ok()) return status;
  return counts;
}

absl::StatusOr<std::vector<v1::ClassChange>> ReadChanges(SqliteDb* db, int64_t only_seq) {
  absl::StatusOr<SqliteStatement> query = db->Prepare(
      "SELECT seq, kind, from_names, to_name, boxes_remapped, boxes_dropped, created_ms"
      " FROM class_changes WHERE ?1 = 0 OR seq = ?1 ORDER BY seq");
  if (!query.ok()) return query.status();
  query->Bind(1, only_seq);
  std::vector<v1::ClassChange> changes;
  absl::flat_hash_map<int64_t, size_t> index;
  while (true) {
    absl::StatusOr<bool> row = query->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    v1::ClassChange& change = changes.emplace_back();
    change.set_seq(query->ColumnInt(0));
    change.set_kind(static_cast<v1::ClassChangeKind>(query->ColumnInt(1)));
    for (absl::string_view name : absl::StrSplit(query->ColumnText(2), ',', absl::SkipEmpty())) {
      change.add_from_names(std::string(name));
    }
    change.set_to_name(query->ColumnText(3));
    change.set_boxes_remapped(query->ColumnInt(4));
    change.set_boxes_dropped(query->ColumnInt(5));
    change.set_created_unix_ms(query->ColumnInt(6));
    index[change.seq()] = changes.size() - 1;
  }
  absl::StatusOr<SqliteStatement> images = db->Prepare(
      "SELECT seq, image_id FROM class_change_labels WHERE ?1 = 0 OR seq = ?1"
      " ORDER BY seq, image_id");
  if (!images.ok()) return images.status();
  images->Bind(1, only_seq);
  while (true) {
    absl::StatusOr<bool> row = images->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    auto it = index.find(images->ColumnInt(0));
    if (it != index.end()) changes[it->second].add_image_ids(images->ColumnInt(1));
  }
  return changes;
}

// Runs `change` in one transaction, then answers with the recorded change and the class list.
absl::StatusOr<v1::ClassChange> RunChange(
    Store* store, const std::function<absl::StatusOr<int64_t>(SqliteDb*)>& change) {
  int64_t seq = 0;
  absl::Status status = store->Transact([&](SqliteDb* db) -> absl::Status {
    absl::StatusOr<int64_t> done = change(db);
    if (!done.ok()) return done.status();
    seq = *done;
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  std::vector<v1::ClassChange> changes;
  status = store->Read([&](SqliteDb* db) -> absl::Status {
    absl::StatusOr<std::vector<v1::ClassChange>> read = ReadChanges(db, seq);
    if (!read.ok()) return read.status();
    changes = *std::move(read);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  if (changes.size() != 1) return absl::InternalError(absl::StrCat("class change ", seq, " lost"));
  absl::StatusOr<std::vector<v1::ClassInfo>> classes = store->ListClasses();
  if (!classes.ok()) return classes.status();
  for (v1::ClassInfo& info : *classes) *changes[0].add_classes() = std::move(info);
  return changes[0];
}

}  // namespace

absl::Status ValidateClassName(const std::string& name, const std::string& field) {
  if (name.empty() || name.size() > 200 || name.find_first_of("\n\r\t,") != std::string::npos ||
      name.front() == ' ' || name.back() == ' ') {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": bad class name \"", name,
                     "\": 1 to 200 characters, no commas, tabs or newlines, no leading or "
                     "trailing spaces"));
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::ClassChange> AddClass(Store* store, const std::string& name, int64_t now_ms) {
  if (absl::Status s = ValidateClassName(name, "name"); !s.ok()) return s;
  return RunChange(store, [&](SqliteDb* db) -> absl::StatusOr<int64_t> {
    absl::StatusOr<absl::flat_hash_map<std::string, int64_t>> active = ActiveClasses(db);
    if (!active.ok()) return active.status();
    if (active->contains(name)) {
      return absl::AlreadyExistsError(absl::StrCat("class \"", name, "\" already exists"));
    }
    absl::StatusOr<int64_t> id = AddOrRevive(db, name, now_ms);
    if (!id.ok()) return id.status();
    return BeginChange(db, v1::CLASS_CHANGE_KIND_ADD, {}, name, now_ms);
  });
}

absl::StatusOr<v1::ClassChange> RenameClass(Store* store, const std::string& from,
                                            const std::string& to, int64_t now_ms) {
  if (absl::Status s = ValidateClassName(to, "to"); !s.ok()) return s;
  return RunChange(store, [&](SqliteDb* db) -> absl::StatusOr<int64_t> {
    absl::StatusOr<absl::flat_hash_map<std::string, int64_t>> active = ActiveClasses(db);
    if (!active.ok()) return active.status();
    absl::StatusOr<int64_t> id = ActiveId(*active, from);
    if (!id.ok()) return id.status();
    if (active->contains(to)) {
      return absl::AlreadyExistsError(
          absl::StrCat("class \"", to, "\" already exists; merge \"", from, "\" into it instead"));
    }
    // A retired class holding the name keeps its boxes in old label versions under a name
    // that says what happened to it.
    absl::StatusOr<SqliteStatement> move_retired = db->Prepare(
        "UPDATE classes SET name = name || ' (retired ' || id || ')'"
        " WHERE name = ? AND retired_ms > 0");
    if (!move_retired.ok()) return move_retired.status();
    if (absl::Status s = move_retired->Bind(1, to).Run(); !s.ok()) return s;
    absl::StatusOr<SqliteStatement> rename =
        db->Prepare("UPDATE classes SET name = ? WHERE id = ?");
    if (!rename.ok()) return rename.status();
    if (absl::Status s = rename->Bind(1, to).Bind(2, *id).Run(); !s.ok()) return s;
    return BeginChange(db, v1::CLASS_CHANGE_KIND_RENAME, {from}, to, now_ms);
  });
}

absl::StatusOr<v1::ClassChange> MergeClasses(Store* store, const std::vector<std::string>& sources,
                                             const std::string& target, int64_t now_ms) {
  if (sources.empty()) return absl::InvalidArgumentError("sources: name at least one class");
  if (absl::Status s = ValidateClassName(target, "target"); !s.ok()) return s;
  absl::flat_hash_set<std::string> seen;
  for (const std::string& source : sources) {
    if (source == target) {
      return absl::InvalidArgumentError(
          absl::StrCat("sources: \"", source, "\" is also the target"));
    }
    if (!seen.insert(source).second) {
      return absl::InvalidArgumentError(absl::StrCat("sources: \"", source, "\" given twice"));
    }
  }
  return RunChange(store, [&](SqliteDb* db) -> absl::StatusOr<int64_t> {
    absl::StatusOr<absl::flat_hash_map<std::string, int64_t>> active = ActiveClasses(db);
    if (!active.ok()) return active.status();
    std::vector<int64_t> source_ids;
    for (const std::string& source : sources) {
      absl::StatusOr<int64_t> id = ActiveId(*active, source);
      if (!id.ok()) return id.status();
      source_ids.push_back(*id);
    }
    absl::StatusOr<int64_t> target_id = AddOrRevive(db, target, now_ms);
    if (!target_id.ok()) return target_id.status();
    absl::StatusOr<int64_t> seq =
        BeginChange(db, v1::CLASS_CHANGE_KIND_MERGE, sources, target, now_ms);
    if (!seq.ok()) return seq.status();
    absl::flat_hash_map<int64_t, int64_t> remap;
    for (int64_t id : source_ids) remap[id] = *target_id;
    absl::StatusOr<Rewritten> rewritten =
        RewriteLatestLabels(db, remap, *seq,
                            absl::StrCat("classes ", absl::StrJoin(sources, ", "), " merged into ",
                                         target, ": check the merged boxes (duplicates?)"),
                            now_ms);
    if (!rewritten.ok()) return rewritten.status();
    for (int64_t id : source_ids) {
      if (absl::Status s = Retire(db, id, now_ms); !s.ok()) return s;
    }
    return *seq;
  });
}

absl::StatusOr<v1::ClassChange> DeleteClass(Store* store, const std::string& name, int64_t now_ms) {
  return RunChange(store, [&](SqliteDb* db) -> absl::StatusOr<int64_t> {
    absl::StatusOr<absl::flat_hash_map<std::string, int64_t>> active = ActiveClasses(db);
    if (!active.ok()) return active.status();
    absl::StatusOr<int64_t> id = ActiveId(*active, name);
    if (!id.ok()) return id.status();
    absl::StatusOr<int64_t> seq = BeginChange(db, v1::CLASS_CHANGE_KIND_DELETE, {name}, "", now_ms);
    if (!seq.ok()) return seq.status();
    absl::StatusOr<Rewritten> rewritten = RewriteLatestLabels(
        db, {{*id, kDrop}}, *seq,
        absl::StrCat("class ", name, " deleted: its objects are now unlabeled background"), now_ms);
    if (!rewritten.ok()) return rewritten.status();
    if (absl::Status s = Retire(db, *id, now_ms); !s.ok()) return s;
    return *seq;
  });
}

absl::StatusOr<std::vector<v1::ClassChange>> ListClassChanges(Store* store) {
  std::vector<v1::ClassChange> changes;
  absl::Status status = store->Read([&](SqliteDb* db) -> absl::Status {
    absl::StatusOr<std::vector<v1::ClassChange>> read = ReadChanges(db, 0);
    if (!read.ok()) return read.status();
    changes = *std::move(read);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return changes;
}

std::string TraceClassName(const std::vector<v1::ClassChange>& changes, const std::string& name) {
  std::string current = name;
  for (const v1::ClassChange& change : changes) {
    const bool involved = std::find(change.from_names().begin(), change.from_names().end(),
                                    current) != change.from_names().end();
    if (!involved) continue;
    switch (change.kind()) {
      case v1::CLASS_CHANGE_KIND_RENAME:
      case v1::CLASS_CHANGE_KIND_MERGE:
        current = change.to_name();
        break;
      case v1::CLASS_CHANGE_KIND_DELETE:
        return "";
      default:
        break;
    }
  }
  return current;
}

}  // namespace labelloop
