#include "common/schema_migrations.h"

#include <chrono>

#include "absl/strings/str_cat.h"

namespace labelloop {

const std::vector<SchemaMigration>& StoreMigrations() {
  static const std::vector<SchemaMigration>* const kMigrations = new std::vector<SchemaMigration>{
      {1, "images, classes, labels, boxes, leases", R"sql(
CREATE TABLE images(
  id INTEGER PRIMARY KEY,
  sha256 TEXT NOT NULL UNIQUE,
  uri TEXT NOT NULL,
  in_blob INTEGER NOT NULL,      -- 1: bytes live in blobs/<sha256>; 0: read from uri
  size_bytes INTEGER NOT NULL,
  width INTEGER NOT NULL,
  height INTEGER NOT NULL,
  state INTEGER NOT NULL,        -- labelloop.v1.ImageState, never LEASED (leases are a table)
  split TEXT NOT NULL,           -- fixed at insert so labels never move between splits
  added_ms INTEGER NOT NULL,
  skipped_ms INTEGER NOT NULL DEFAULT 0);
CREATE INDEX images_by_state ON images(state, id);
CREATE TABLE classes(
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  created_ms INTEGER NOT NULL);
CREATE TABLE labels(
  id INTEGER PRIMARY KEY,
  image_id INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
  version INTEGER NOT NULL,
  annotator TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  lease_id TEXT NOT NULL,
  prelabel_model_version TEXT NOT NULL DEFAULT '',
  UNIQUE(image_id, version));
CREATE TABLE boxes(
  label_id INTEGER NOT NULL REFERENCES labels(id) ON DELETE CASCADE,
  idx INTEGER NOT NULL,
  x1 REAL NOT NULL, y1 REAL NOT NULL, x2 REAL NOT NULL, y2 REAL NOT NULL,
  class_id INTEGER NOT NULL REFERENCES classes(id),
  PRIMARY KEY(label_id, idx)) WITHOUT ROWID;
CREATE INDEX boxes_by_class ON boxes(class_id);
CREATE TABLE leases(
  image_id INTEGER PRIMARY KEY REFERENCES images(id) ON DELETE CASCADE,
  lease_id TEXT NOT NULL UNIQUE,
  annotator TEXT NOT NULL,
  expires_ms INTEGER NOT NULL);
)sql"},
      {2, "training jobs, model versions, serving history", R"sql(
CREATE TABLE jobs(
  id INTEGER PRIMARY KEY,
  state INTEGER NOT NULL,       -- labelloop.v1.JobState
  created_ms INTEGER NOT NULL,
  record BLOB NOT NULL);        -- the whole labelloop.v1.Job, serialized
CREATE INDEX jobs_by_state ON jobs(state);
CREATE TABLE models(
  version TEXT PRIMARY KEY,     -- "v7": models/v7/ holds its files
  number INTEGER NOT NULL UNIQUE,
  status INTEGER NOT NULL,      -- labelloop.v1.ModelStatus
  promotion_reason TEXT NOT NULL DEFAULT '',
  created_ms INTEGER NOT NULL);
CREATE TABLE serving_history(
  seq INTEGER PRIMARY KEY,
  version TEXT NOT NULL,
  reason TEXT NOT NULL,
  promoted_ms INTEGER NOT NULL);
)sql"},
      {3, "image scores and pre-labels per model version", R"sql(
CREATE TABLE image_scores(
  image_id INTEGER PRIMARY KEY REFERENCES images(id) ON DELETE CASCADE,
  model_version TEXT NOT NULL,  -- the model that computed it; stale once another one serves
  uncertainty REAL NOT NULL,    -- in [0, 1], higher = more worth labeling
  parts BLOB NOT NULL,          -- labelloop.v1.ScoreParts, serialized
  predictions BLOB NOT NULL,    -- labelloop.v1.PredictResponse (pre-labels), serialized
  embedding BLOB,               -- float32 little-endian, for diversity; NULL when not computed
  predicted_classes TEXT NOT NULL DEFAULT '',  -- detector class indices, comma-separated
  scored_ms INTEGER NOT NULL);
)sql"},
      {4, "class changes, images to review, suspected label errors", R"sql(
-- A class deleted or merged away keeps its row (older label versions still name it) but is
-- retired: no longer listed, trained or accepted in new labels. Adding its name again revives it.
ALTER TABLE classes ADD COLUMN retired_ms INTEGER NOT NULL DEFAULT 0;
CREATE TABLE class_changes(
  seq INTEGER PRIMARY KEY,
  kind INTEGER NOT NULL,         -- labelloop.v1.ClassChangeKind
  from_names TEXT NOT NULL,      -- comma-separated (class names hold no commas)
  to_name TEXT NOT NULL,
  boxes_remapped INTEGER NOT NULL,
  boxes_dropped INTEGER NOT NULL,
  created_ms INTEGER NOT NULL);
-- The label versions a class change wrote: old_label_id is the version it replaced.
CREATE TABLE class_change_labels(
  seq INTEGER NOT NULL REFERENCES class_changes(seq),
  image_id INTEGER NOT NULL,     -- no foreign key: the record outlives a removed image
  old_label_id INTEGER NOT NULL,
  new_label_id INTEGER NOT NULL,
  PRIMARY KEY(seq, image_id)) WITHOUT ROWID;
-- Images whose labels a class change made ambiguous, for a person to look at again. The review
-- workflow takes them from here; until then ListClassChanges reports them.
CREATE TABLE images_to_review(
  image_id INTEGER PRIMARY KEY REFERENCES images(id) ON DELETE CASCADE,
  reason TEXT NOT NULL,
  class_change_seq INTEGER NOT NULL,
  created_ms INTEGER NOT NULL);
-- Labels the serving model disagrees with (SuspectService). Open ones are replaced by each
-- promotion's scan; reviewed ones stay so that the same finding on the same label version is
-- not raised again.
CREATE TABLE suspects(
  id INTEGER PRIMARY KEY,
  image_id INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
  label_id INTEGER NOT NULL REFERENCES labels(id) ON DELETE CASCADE,
  label_version INTEGER NOT NULL,
  model_version TEXT NOT NULL,
  kind INTEGER NOT NULL,         -- labelloop.v1.SuspectKind
  status INTEGER NOT NULL,       -- labelloop.v1.SuspectStatus
  suspicion REAL NOT NULL,
  reason TEXT NOT NULL,
  label_box_index INTEGER NOT NULL,  -- -1: none (a missing box)
  label_box BLOB NOT NULL,       -- labelloop.v1.Box, serialized; empty when none
  prediction BLOB NOT NULL,      -- labelloop.v1.Box, serialized; empty when none
  iou REAL NOT NULL,
  created_ms INTEGER NOT NULL,
  reviewer TEXT NOT NULL DEFAULT '',
  reviewed_ms INTEGER NOT NULL DEFAULT 0);
CREATE INDEX suspects_by_status ON suspects(status, suspicion DESC);
CREATE INDEX suspects_by_label ON suspects(label_id);
)sql"},
      {5, "label review: status, source, reviewer, review leases", R"sql(
-- Only accepted labels train and evaluate. Rows from before the review workflow, and every
-- label under ReviewConfig mode AUTO_ACCEPT, are accepted; under review a submission is
-- pending until a reviewer accepts or rejects it. A reviewer's edit is a new version, accepted.
ALTER TABLE labels ADD COLUMN status TEXT NOT NULL DEFAULT 'accepted'
  CHECK(status IN ('pending', 'accepted', 'rejected'));
-- Who wrote the version: human (annotator), reviewer (an edit), machine (auto-labeling),
-- import (a label file).
ALTER TABLE labels ADD COLUMN source TEXT NOT NULL DEFAULT 'human';
ALTER TABLE labels ADD COLUMN reviewer TEXT NOT NULL DEFAULT '';
ALTER TABLE labels ADD COLUMN reviewed_ms INTEGER NOT NULL DEFAULT 0;
ALTER TABLE labels ADD COLUMN reject_reason TEXT NOT NULL DEFAULT '';
-- The version a reviewer's edit revised (0 when none).
ALTER TABLE labels ADD COLUMN revises_label_id INTEGER NOT NULL DEFAULT 0;
CREATE INDEX labels_pending ON labels(created_ms, id) WHERE status = 'pending';
CREATE INDEX labels_by_image_status ON labels(image_id, status, version);
-- A pending label handed to a reviewer, so that two reviewers never get the same one. Written
-- with the reviewer's next commit; an expired lease returns the label to the review queue.
CREATE TABLE review_leases(
  label_id INTEGER PRIMARY KEY REFERENCES labels(id) ON DELETE CASCADE,
  lease_id TEXT NOT NULL UNIQUE,
  reviewer TEXT NOT NULL,
  expires_ms INTEGER NOT NULL);
)sql"},
      {6, "annotator overlap: several leases per image, overlap images, agreements", R"sql(
-- An overlap image (OverlapConfig) is leased to several annotators at once: one lease per slot.
-- Slot 0 is the only one of an ordinary image, so INSERT OR REPLACE of its lease still replaces
-- the image's older lease as before; overlap leases use slots 1..k. WITHOUT ROWID: the key is
-- the table's b-tree, so a lease write touches as many b-trees as before (table, lease_id).
CREATE TABLE leases_v6(
  image_id INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
  slot INTEGER NOT NULL DEFAULT 0,
  lease_id TEXT NOT NULL UNIQUE,
  annotator TEXT NOT NULL,
  expires_ms INTEGER NOT NULL,
  PRIMARY KEY(image_id, slot)) WITHOUT ROWID;
INSERT INTO leases_v6(image_id, slot, lease_id, annotator, expires_ms)
  SELECT image_id, 0, lease_id, annotator, expires_ms FROM leases;
DROP TABLE leases;
ALTER TABLE leases_v6 RENAME TO leases;
-- Overlap images with at least one submission. Their k label versions are the annotators'
-- submissions; the image stays UNLABELED (in the queue) until the k-th, which completes it.
CREATE TABLE overlap_images(
  image_id INTEGER PRIMARY KEY REFERENCES images(id) ON DELETE CASCADE,
  annotators_needed INTEGER NOT NULL,
  submissions INTEGER NOT NULL,
  started_ms INTEGER NOT NULL,
  completed_ms INTEGER NOT NULL DEFAULT 0,
  agreement REAL,                -- NULL until complete; see OverlapConfig
  sent_to_review INTEGER NOT NULL DEFAULT 0);
-- Per label of a complete overlap image: its mean agreement with the image's other labels, at
-- the time its annotator labeled (per-annotator statistics over time).
CREATE TABLE overlap_agreements(
  image_id INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
  label_id INTEGER NOT NULL REFERENCES labels(id) ON DELETE CASCADE,
  annotator TEXT NOT NULL,
  agreement REAL NOT NULL,
  labeled_ms INTEGER NOT NULL,
  PRIMARY KEY(image_id, label_id));
CREATE INDEX overlap_agreements_by_annotator ON overlap_agreements(annotator, labeled_ms);
)sql"},
  };
  return *kMigrations;
}

absl::StatusOr<int> SchemaVersion(SqliteDb* db) {
  absl::Status status = db->Exec(
      "CREATE TABLE IF NOT EXISTS schema_migrations("
      "version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_ms INTEGER NOT NULL)");
  if (!status.ok()) return status;
  absl::StatusOr<SqliteStatement> query =
      db->Prepare("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
  if (!query.ok()) return query.status();
  absl::StatusOr<bool> row = query->Step();
  if (!row.ok()) return row.status();
  return static_cast<int>(query->ColumnInt(0));
}

absl::Status ApplyMigrations(SqliteDb* db, const std::vector<SchemaMigration>& migrations) {
  absl::StatusOr<int> current = SchemaVersion(db);
  if (!current.ok()) return current.status();
  int newest = migrations.empty() ? 0 : migrations.back().version;
  if (*current > newest) {
    return absl::FailedPreconditionError(absl::StrCat(
        "database ", db->path(), " has schema version ", *current,
        " but this labelloop knows versions up to ", newest, "; use a newer labelloopd"));
  }
  for (const SchemaMigration& migration : migrations) {
    if (migration.version <= *current) continue;
    absl::StatusOr<SqliteTransaction> txn = SqliteTransaction::Begin(db);
    if (!txn.ok()) return txn.status();
    absl::Status status = db->Exec(migration.sql);
    if (!status.ok()) {
      return absl::Status(status.code(),
                          absl::StrCat("migration ", migration.version, " (", migration.description,
                                       "): ", status.message()));
    }
    absl::StatusOr<SqliteStatement> record = db->Prepare(
        "INSERT INTO schema_migrations(version, description, applied_ms) VALUES(?, ?, ?)");
    if (!record.ok()) return record.status();
    int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    status = record->Bind(1, static_cast<int64_t>(migration.version))
                 .Bind(2, migration.description)
                 .Bind(3, now_ms)
                 .Run();
    if (!status.ok()) return status;
    status = txn->Commit();
    if (!status.ok()) return status;
  }
  return absl::OkStatus();
}

}  // namespace labelloop
