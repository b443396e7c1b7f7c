#include "common/store.h"

#include <chrono>
#include <cstdlib>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "common/durable_file.h"
#include "common/group_commit.h"
#include "common/label_version_insert.h"
#include "common/schema_migrations.h"
#include "common/wal_checkpointer.h"

namespace labelloop {
namespace {

// Every SELECT of an image row lists these columns in this order; ?1 is "now" in ms.
constexpr char kImageColumns[] =
    "SELECT i.id, i.uri, i.sha256, i.in_blob, i.size_bytes, i.width, i.height, i.state, i.split,"
    " i.added_ms, i.skipped_ms,"
    " (SELECT COUNT(*) FROM labels l WHERE l.image_id = i.id),"
    " EXISTS(SELECT 1 FROM leases s WHERE s.image_id = i.id AND s.expires_ms > ?1)"
    " FROM images i";
constexpr char kLive[] =
    "EXISTS(SELECT 1 FROM leases s WHERE s.image_id = i.id AND s.expires_ms > ?1)";

StoredImage ReadImageRow(const SqliteStatement& row) {
  StoredImage image;
  image.id = row.ColumnInt(0);
  image.uri = row.ColumnText(1);
  image.sha256 = row.ColumnText(2);
  image.in_blob = row.ColumnInt(3) != 0;
  image.size_bytes = row.ColumnInt(4);
  image.width = static_cast<int>(row.ColumnInt(5));
  image.height = static_cast<int>(row.ColumnInt(6));
  image.state = static_cast<v1::ImageState>(row.ColumnInt(7));
  image.split = row.ColumnText(8);
  image.added_ms = row.ColumnInt(9);
  image.skipped_ms = row.ColumnInt(10);
  image.label_versions = static_cast<int>(row.ColumnInt(11));
  if (row.ColumnInt(12) != 0) image.state = v1::IMAGE_STATE_LEASED;
  return image;
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The split is a pure function of the image bytes, fixed when the image is first stored, so a
// label never moves between training and validation.
std::string SplitFor(const std::string& sha256, double validation_share) {
  uint32_t prefix = static_cast<uint32_t>(std::strtoul(sha256.substr(0, 8).c_str(), nullptr, 16));
  double position = static_cast<double>(prefix) / 4294967296.0;
  return position < validation_share ? "val" : "train";
}

}  // namespace

absl::StatusOr<std::unique_ptr<Store>> Store::Open(const std::string& data_dir,
                                                   const StoreOptions& options) {
  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  if (ec) {
    return absl::PermissionDeniedError(
        absl::StrCat("cannot create data folder ", data_dir, ": ", ec.message()));
  }
  absl::StatusOr<std::unique_ptr<DirLock>> lock = DirLock::Acquire(data_dir);
  if (!lock.ok()) return lock.status();
  absl::StatusOr<BlobStore> blobs = BlobStore::Open(data_dir + "/blobs");
  if (!blobs.ok()) return blobs.status();
  absl::StatusOr<std::unique_ptr<SqliteDb>> db =
      SqliteDb::Open(data_dir + "/labelloop.db", options.busy_timeout_ms);
  if (!db.ok()) return db.status();
  absl::Status status = ApplyMigrations(db->get(), StoreMigrations());
  if (!status.ok()) return status;
  // Checkpoints run mostly on their own thread (checkpointer_), not inside the group commit's
  // COMMIT that every waiting submission waits for. The writer still checkpoints past 4,000
  // pages (16 MB): under continuous commits a background checkpoint never catches up with the
  // log's end, and only a checkpoint by the writer lets the log restart from its beginning;
  // by then the background one has copied nearly all of it, so the writer's is short.
  status = (*db)->Exec("PRAGMA wal_autocheckpoint=4000");
  if (!status.ok()) return status;
  // Every group-commit operation runs in its own SAVEPOINT, whose undo copies of the pages it
  // touches go to a sub-journal. On disk (the default) one that outgrows 64 KB (a batch of
  // leases does) spilled to a temporary file: created, written and deleted once per group.
  // In memory it is a few hundred KB at most and never touches the disk.
  status = (*db)->Exec("PRAGMA temp_store=MEMORY");
  if (!status.ok()) return status;
  absl::StatusOr<std::unique_ptr<WalCheckpointer>> checkpointer =
      WalCheckpointer::Start(data_dir + "/labelloop.db", {200, options.busy_timeout_ms});
  if (!checkpointer.ok()) return checkpointer.status();
  // A second connection for reads: in WAL mode it reads the last committed state while the
  // writer's group commit waits on fsync, so queries never queue behind a disk flush.
  absl::StatusOr<std::unique_ptr<SqliteDb>> read_db =
      SqliteDb::Open(data_dir + "/labelloop.db", options.busy_timeout_ms);
  if (!read_db.ok()) return read_db.status();
  // No memory map for reads: a WAL reader drops its cache whenever another connection has
  // committed since its last read (under load: nearly every read), and with a map it also
  // unmaps the whole file and faults the pages in again (munmap with TLB shootdowns was ~5 % of
  // the daemon's CPU under the queue load benchmark). Reads come from the OS page cache.
  absl::Status no_mmap = (*read_db)->Exec("PRAGMA mmap_size=0");
  if (!no_mmap.ok()) return no_mmap;
  std::unique_ptr<Store> store(
      new Store(*std::move(lock), *std::move(db), *std::move(read_db), *std::move(blobs), options));
  store->checkpointer_ = *std::move(checkpointer);
  return store;
}

Store::Store(std::unique_ptr<DirLock> lock, std::unique_ptr<SqliteDb> write_db,
             std::unique_ptr<SqliteDb> read_db, BlobStore blobs, StoreOptions options)
    : lock_(std::move(lock)),
      write_db_(std::move(write_db)),
      committer_(std::make_unique<GroupCommitter>(write_db_.get())),
      read_db_(std::move(read_db)),
      blobs_(std::move(blobs)),
      options_(options) {}

Store::~Store() {
  // The committer flushes queued writes (leases) before the connections close.
  committer_.reset();
}

absl::Status Store::Sync() {
  absl::Status status = committer_->Commit([](SqliteDb*) { return absl::OkStatus(); });
  if (absl::IsResourceExhausted(status) || absl::IsUnavailable(status)) return absl::OkStatus();
  return status;
}

int64_t Store::commit_groups() const { return committer_->groups(); }

std::optional<int64_t> Store::FindImageBySha256(const std::string& sha256) {
  std::lock_guard<std::mutex> lock(read_mu_);
  absl::StatusOr<SqliteStatement> find =
      read_db_->Prepare("SELECT id FROM images WHERE sha256 = ?");
  if (!find.ok()) return std::nullopt;
  find->Bind(1, sha256);
  absl::StatusOr<bool> row = find->Step();
  if (!row.ok() || !*row) return std::nullopt;
  return find->ColumnInt(0);
}

absl::StatusOr<std::vector<AddImageResult>> Store::AddImages(const std::vector<NewImage>& images) {
  std::vector<AddImageResult> results;
  absl::Status committed = committer_->Commit([&](SqliteDb* db) -> absl::Status {
    absl::StatusOr<SqliteStatement> find = db->Prepare("SELECT id FROM images WHERE sha256 = ?");
    if (!find.ok()) return find.status();
    absl::StatusOr<SqliteStatement> insert = db->Prepare(
        "INSERT INTO images(sha256, uri, in_blob, size_bytes, width, height, state, split, "
        "added_ms)"
        " VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)");
    if (!insert.ok()) return insert.status();
    const int64_t now_ms = NowMs();
    results.clear();
    results.reserve(images.size());
    for (const NewImage& image : images) {
      find->Reset();
      find->Bind(1, image.sha256);
      absl::StatusOr<bool> existing = find->Step();
      if (!existing.ok()) return existing.status();
      if (*existing) {
        results.push_back({find->ColumnInt(0), true});
        continue;
      }
      insert->Reset();
      insert->Bind(1, image.sha256)
          .Bind(2, image.uri)
          .Bind(3, static_cast<int64_t>(image.in_blob))
          .Bind(4, image.size_bytes)
          .Bind(5, static_cast<int64_t>(image.width))
          .Bind(6, static_cast<int64_t>(image.height))
          .Bind(7, static_cast<int64_t>(v1::IMAGE_STATE_UNLABELED))
          .Bind(8, SplitFor(image.sha256, options_.validation_share))
          .Bind(9, now_ms);
      absl::Status status = insert->Run();
      if (!status.ok()) return status;
      results.push_back({db->LastInsertRowId(), false});
    }
    return absl::OkStatus();
  });
  if (!committed.ok()) return committed;
  return results;
}

absl::StatusOr<std::vector<StoredImage>> Store::ListImages(v1::ImageState state, int64_t after_id,
                                                           int limit, int64_t now_ms) {
  std::string filter;
  switch (state) {
    case v1::IMAGE_STATE_UNSPECIFIED:
      break;
    case v1::IMAGE_STATE_LEASED:
      filter = absl::StrCat(" AND ", kLive);
      break;
    case v1::IMAGE_STATE_LABELED:
      filter = absl::StrCat(" AND i.state = ", static_cast<int>(v1::IMAGE_STATE_LABELED));
      break;
    default:
      filter = absl::StrCat(" AND i.state = ", static_cast<int>(state), " AND NOT ", kLive);
      break;
  }
  absl::Status synced = Sync();
  if (!synced.ok()) return synced;
  std::lock_guard<std::mutex> lock(read_mu_);
  absl::StatusOr<SqliteStatement> query = read_db_->Prepare(
      absl::StrCat(kImageColumns, " WHERE i.id > ?2", filter, " ORDER BY i.id LIMIT ?3"));
  if (!query.ok()) return query.status();
  query->Bind(1, now_ms).Bind(2, after_id).Bind(3, static_cast<int64_t>(limit));
  std::vector<StoredImage> images;
  while (true) {
    absl::StatusOr<bool> row = query->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    images.push_back(ReadImageRow(*query));
  }
  return images;
}

absl::StatusOr<StoredImage> Store::GetImage(int64_t image_id, int64_t now_ms) {
  std::lock_guard<std::mutex> lock(read_mu_);
  absl::StatusOr<SqliteStatement> query =
      read_db_->PrepareCached(absl::StrCat(kImageColumns, " WHERE i.id = ?2"));
  if (!query.ok()) return query.status();
  query->Bind(1, now_ms).Bind(2, image_id);
  absl::StatusOr<bool> row = query->Step();
  if (!row.ok()) return row.status();
  if (!*row) return absl::NotFoundError(absl::StrCat("no image with id ", image_id));
  return ReadImageRow(*query);
}

absl::StatusOr<std::vector<StoredImage>> Store::GetImages(const std::vector<int64_t>& image_ids,
                                                          int64_t now_ms) {
  std::vector<StoredImage> images;
  if (image_ids.empty()) return images;
  std::lock_guard<std::mutex> lock(read_mu_);
  absl::StatusOr<SqliteStatement> query =
      read_db_->PrepareCached(absl::StrCat(kImageColumns, " WHERE i.id = ?2"));
  if (!query.ok()) return query.status();
  images.reserve(image_ids.size());
  for (int64_t image_id : image_ids) {
    query->Reset();
    query->Bind(1, now_ms).Bind(2, image_id);
    absl::StatusOr<bool> row = query->Step();
    if (!row.ok()) return row.status();
    if (*row) images.push_back(ReadImageRow(*query));
  }
  return images;
}

absl::StatusOr<RemovedImages> Store::RemoveImages(const std::vector<int64_t>& image_ids) {
  RemovedImages result;
  absl::Status committed = committer_->Commit([&](SqliteDb* db) -> absl::Status {
    absl::StatusOr<SqliteStatement> remove =
        db->Prepare("DELETE FROM images WHERE id = ? RETURNING sha256, in_blob");
    if (!remove.ok()) return remove.status();
    result = RemovedImages();
    for (int64_t id : image_ids) {
      remove->Reset();
      remove->Bind(1, id);
      absl::StatusOr<bool> row = remove->Step();
      if (!row.ok()) return row.status();
      if (!*row) {
        result.not_found.push_back(id);
        continue;
      }
      result.removed.push_back(id);
      if (remove->ColumnInt(1) != 0) result.orphaned_blobs.push_back(remove->ColumnText(0));
      // Finish the statement so RETURNING's delete is complete before the next one.
      absl::StatusOr<bool> done = remove->Step();
      if (!done.ok()) return done.status();
    }
    return absl::OkStatus();
  });
  if (!committed.ok()) return committed;
  return result;
}

absl::StatusOr<std::vector<v1::ClassInfo>> Store::ListClasses() {
  std::lock_guard<std::mutex> lock(read_mu_);
  absl::StatusOr<SqliteStatement> query = read_db_->Prepare(
      "SELECT c.id, c.name, (SELECT COUNT(*) FROM boxes b WHERE b.class_id = c.id)"
      " FROM classes c WHERE c.retired_ms = 0 ORDER BY c.id");
  if (!query.ok()) return query.status();
  std::vector<v1::ClassInfo> classes;
  while (true) {
    absl::StatusOr<bool> row = query->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    v1::ClassInfo& info = classes.emplace_back();
    info.set_id(static_cast<int32_t>(query->ColumnInt(0)));
    info.set_name(query->ColumnText(1));
    info.set_box_count(query->ColumnInt(2));
  }
  return classes;
}

absl::StatusOr<absl::flat_hash_map<std::string, int64_t>> Store::ClassIds() {
  return class_ids_.Get([this] { return ReadClassIds(); });
}

absl::StatusOr<absl::flat_hash_map<std::string, int64_t>> Store::ReadClassIds() {
  // Names and ids only: every submission needs this, and the box counts of ListClasses cost a
  // scan of every stored box.
  std::lock_guard<std::mutex> lock(read_mu_);
  absl::StatusOr<SqliteStatement> query =
      read_db_->PrepareCached("SELECT id, name FROM classes WHERE retired_ms = 0");
  if (!query.ok()) return query.status();
  absl::flat_hash_map<std::string, int64_t> ids;
  while (true) {
    absl::StatusOr<bool> row = query->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    ids[query->ColumnText(1)] = query->ColumnInt(0);
  }
  return ids;
}

absl::Status Store::SetClasses(const std::vector<std::string>& names) {
  absl::Status committed = committer_->Commit([&](SqliteDb* db) -> absl::Status {
    absl::StatusOr<SqliteStatement> existing = db->Prepare(
        "SELECT c.id, c.name, (SELECT COUNT(*) FROM boxes b WHERE b.class_id = c.id)"
        " FROM classes c WHERE c.retired_ms = 0");
    if (!existing.ok()) return existing.status();
    absl::flat_hash_map<std::string, int64_t> wanted;
    for (const std::string& name : names) wanted[name] = 1;
    std::vector<int64_t> to_drop;
    while (true) {
      absl::StatusOr<bool> row = existing->Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      std::string name = existing->ColumnText(1);
      if (wanted.erase(name) > 0) continue;  // Kept.
      if (existing->ColumnInt(2) > 0) {
        return absl::FailedPreconditionError(absl::StrCat("class \"", name, "\" is used by ",
                                                          existing->ColumnInt(2),
                                                          " labeled boxes and cannot be removed"));
      }
      to_drop.push_back(existing->ColumnInt(0));
    }
    absl::StatusOr<SqliteStatement> drop = db->Prepare("DELETE FROM classes WHERE id = ?");
    if (!drop.ok()) return drop.status();
    for (int64_t id : to_drop) {
      drop->Reset();
      absl::Status status = drop->Bind(1, id).Run();
      if (!status.ok()) return status;
    }
    absl::StatusOr<SqliteStatement> add =
        // A retired class of the same name (deleted or merged away) comes back.
        db->Prepare(
            "INSERT INTO classes(name, created_ms) VALUES(?, ?)"
            " ON CONFLICT(name) DO UPDATE SET retired_ms = 0");
    if (!add.ok()) return add.status();
    const int64_t now_ms = NowMs();
    for (const std::string& name : names) {
      if (!wanted.contains(name)) continue;  // Already present (or a repeated name).
      wanted.erase(name);
      add->Reset();
      absl::Status status = add->Bind(1, name).Bind(2, now_ms).Run();
      if (!status.ok()) return status;
    }
    return absl::OkStatus();
  });
  class_ids_.Invalidate();
  return committed;
}

absl::Status Store::PutLeases(const std::vector<StoredLease>& leases) {
  committer_->CommitLater([leases](SqliteDb* db) -> absl::Status {
    absl::StatusOr<SqliteStatement> put = db->PrepareCached(
        "INSERT OR REPLACE INTO leases(image_id, lease_id, annotator, expires_ms, slot)"
        " VALUES(?,?,?,?,?)");
    if (!put.ok()) return put.status();
    for (const StoredLease& lease : leases) {
      put->Reset();
      absl::Status status = put->Bind(1, lease.image_id)
                                .Bind(2, lease.lease_id)
                                .Bind(3, lease.annotator)
                                .Bind(4, lease.expires_ms)
                                .Bind(5, static_cast<int64_t>(lease.slot))
                                .Run();
      if (!status.ok()) return status;
    }
    return absl::OkStatus();
  });
  return absl::OkStatus();
}

absl::Status Store::DeleteLease(int64_t image_id, const std::string& lease_id) {
  committer_->CommitLater([image_id, lease_id](SqliteDb* db) -> absl::Status {
    absl::StatusOr<SqliteStatement> remove =
        db->Prepare("DELETE FROM leases WHERE image_id = ? AND lease_id = ?");
    if (!remove.ok()) return remove.status();
    return remove->Bind(1, image_id).Bind(2, lease_id).Run();
  });
  return absl::OkStatus();
}

absl::StatusOr<std::vector<StoredLease>> Store::LoadLeases() {
  std::lock_guard<std::mutex> lock(read_mu_);
  absl::StatusOr<SqliteStatement> query =
      read_db_->Prepare("SELECT image_id, lease_id, annotator, expires_ms, slot FROM leases");
  if (!query.ok()) return query.status();
  std::vector<StoredLease> leases;
  while (true) {
    absl::StatusOr<bool> row = query->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    leases.push_back({query->ColumnInt(0), query->ColumnText(1), query->ColumnText(2),
                      query->ColumnInt(3), static_cast<int>(query->ColumnInt(4))});
  }
  return leases;
}

absl::Status Store::ConsumeLease(SqliteDb* db, int64_t image_id, const std::string& lease_id) {
  absl::StatusOr<SqliteStatement> remove =
      db->PrepareCached("DELETE FROM leases WHERE image_id = ? AND lease_id = ?");
  if (!remove.ok()) return remove.status();
  absl::Status status = remove->Bind(1, image_id).Bind(2, lease_id).Run();
  if (!status.ok()) return status;
  if (db->Changes() != 1) {
    return absl::FailedPreconditionError(
        absl::StrCat("lease ", lease_id, " is not the live lease of image ", image_id));
  }
  return absl::OkStatus();
}

absl::StatusOr<StoredLabel> Store::SubmitLabel(const NewLabel& label, int64_t now_ms) {
  StoredLabel stored;
  absl::Status committed = committer_->Commit([&](SqliteDb* db) -> absl::Status {
    absl::Status status = ConsumeLease(db, label.image_id, label.lease_id);
    if (!status.ok()) return status;
    LabelVersionRow row;
    row.image_id = label.image_id;
    row.annotator = label.annotator;
    row.created_ms = now_ms;
    row.lease_id = label.lease_id;
    row.prelabel_model_version = label.prelabel_model_version;
    row.prelabel_from_stored_scores = true;
    absl::StatusOr<InsertedLabelVersion> inserted = InsertLabelVersion(db, row, label.boxes);
    if (!inserted.ok()) return inserted.status();
    stored = StoredLabel();
    stored.id = inserted->id;
    stored.version = inserted->version;
    // Sampled by label id, which exists only now: pending is set after the insert.
    if (options_.review.NeedsReview(stored.id, label.annotator)) {
      absl::StatusOr<SqliteStatement> pending =
          db->PrepareCached("UPDATE labels SET status = 'pending' WHERE id = ?");
      if (!pending.ok()) return pending.status();
      absl::Status marked = pending->Bind(1, stored.id).Run();
      if (!marked.ok()) return marked;
      stored.pending = true;
    }
    if (label.overlap.has_value()) {
      absl::StatusOr<OverlapOutcome> outcome =
          RecordOverlapSubmission(db, label.image_id, *label.overlap, now_ms);
      if (!outcome.ok()) return outcome.status();
      stored.overlap = *outcome;
      // Stays in the queue for the other annotators until the last submission.
      if (!outcome->complete) return absl::OkStatus();
    }
    absl::StatusOr<SqliteStatement> mark =
        db->PrepareCached("UPDATE images SET state = ? WHERE id = ?");
    if (!mark.ok()) return mark.status();
    status =
        mark->Bind(1, static_cast<int64_t>(v1::IMAGE_STATE_LABELED)).Bind(2, label.image_id).Run();
    if (!status.ok()) return status;
    return absl::OkStatus();
  });
  if (!committed.ok()) return committed;
  return stored;
}

absl::Status Store::SkipImage(int64_t image_id, const std::string& lease_id, int64_t now_ms) {
  absl::Status committed = committer_->Commit([&](SqliteDb* db) -> absl::Status {
    absl::Status status = ConsumeLease(db, image_id, lease_id);
    if (!status.ok()) return status;
    absl::StatusOr<SqliteStatement> mark =
        db->Prepare("UPDATE images SET state = ?, skipped_ms = ? WHERE id = ?");
    if (!mark.ok()) return mark.status();
    status = mark->Bind(1, static_cast<int64_t>(v1::IMAGE_STATE_SKIPPED))
                 .Bind(2, now_ms)
                 .Bind(3, image_id)
                 .Run();
    if (!status.ok()) return status;
    return absl::OkStatus();
  });
  return committed;
}

absl::StatusOr<std::optional<v1::Label>> Store::LatestLabel(int64_t image_id) {
  std::lock_guard<std::mutex> lock(read_mu_);
  absl::StatusOr<SqliteStatement> query = read_db_->Prepare(
      "SELECT id, version, annotator, created_ms, prelabel_model_version FROM labels"
      " WHERE image_id = ? ORDER BY version DESC LIMIT 1");
  if (!query.ok()) return query.status();
  query->Bind(1, image_id);
  absl::StatusOr<bool> row = query->Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<v1::Label>();
  v1::Label label;
  label.set_id(query->ColumnInt(0));
  label.set_image_id(image_id);
  label.set_version(static_cast<int32_t>(query->ColumnInt(1)));
  label.set_annotator(query->ColumnText(2));
  label.set_created_unix_ms(query->ColumnInt(3));
  label.set_prelabel_model_version(query->ColumnText(4));
  absl::StatusOr<SqliteStatement> boxes = read_db_->Prepare(
      "SELECT b.x1, b.y1, b.x2, b.y2, c.name FROM boxes b JOIN classes c ON c.id = b.class_id"
      " WHERE b.label_id = ? ORDER BY b.idx");
  if (!boxes.ok()) return boxes.status();
  boxes->Bind(1, label.id());
  while (true) {
    absl::StatusOr<bool> box_row = boxes->Step();
    if (!box_row.ok()) return box_row.status();
    if (!*box_row) break;
    v1::Box* box = label.add_boxes();
    box->set_x1(static_cast<float>(boxes->ColumnDouble(0)));
    box->set_y1(static_cast<float>(boxes->ColumnDouble(1)));
    box->set_x2(static_cast<float>(boxes->ColumnDouble(2)));
    box->set_y2(static_cast<float>(boxes->ColumnDouble(3)));
    box->set_class_name(boxes->ColumnText(4));
  }
  return std::optional<v1::Label>(std::move(label));
}

absl::StatusOr<std::vector<StoredImage>> Store::QueueCandidates() {
  std::lock_guard<std::mutex> lock(read_mu_);
  absl::StatusOr<SqliteStatement> query = read_db_->Prepare(absl::StrCat(
      kImageColumns, " WHERE i.state IN (", static_cast<int>(v1::IMAGE_STATE_UNLABELED), ", ",
      static_cast<int>(v1::IMAGE_STATE_SKIPPED), ") ORDER BY i.id"));
  if (!query.ok()) return query.status();
  // "now" = 0: report the stored state; the queue decides about leases itself.
  query->Bind(1, static_cast<int64_t>(0));
  std::vector<StoredImage> images;
  while (true) {
    absl::StatusOr<bool> row = query->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    StoredImage image = ReadImageRow(*query);
    image.state = static_cast<v1::ImageState>(query->ColumnInt(7));
    images.push_back(std::move(image));
  }
  return images;
}

absl::StatusOr<std::vector<LabeledExample>> Store::LabeledExamples(const std::string& split) {
  std::lock_guard<std::mutex> lock(read_mu_);
  // The latest accepted version per image: no later accepted version of the same image exists.
  // A machine label never evaluates (nor calibrates auto-labeling on itself): auto-labeling
  // leaves validation images alone, and a validation image whose latest accepted version is a
  // machine label anyway is left out rather than judged by the model's own output.
  absl::StatusOr<SqliteStatement> query = read_db_->Prepare(
      "SELECT i.id, l.id, i.uri, i.sha256, i.in_blob, i.width, i.height, i.split,"
      " b.x1, b.y1, b.x2, b.y2, b.class_id"
      " FROM images i JOIN labels l ON l.image_id = i.id"
      " LEFT JOIN boxes b ON b.label_id = l.id"
      " WHERE i.state = ?1 AND (?2 = '' OR i.split = ?2) AND l.status = 'accepted'"
      " AND NOT (i.split = 'val' AND l.source = 'machine')"
      " AND NOT EXISTS(SELECT 1 FROM labels l2 WHERE l2.image_id = i.id AND l2.status = 'accepted'"
      " AND l2.version > l.version)"
      " ORDER BY i.id, b.idx");
  if (!query.ok()) return query.status();
  query->Bind(1, static_cast<int64_t>(v1::IMAGE_STATE_LABELED)).Bind(2, split);
  std::vector<LabeledExample> examples;
  while (true) {
    absl::StatusOr<bool> row = query->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    if (examples.empty() || examples.back().image_id != query->ColumnInt(0)) {
      LabeledExample& e = examples.emplace_back();
      e.image_id = query->ColumnInt(0);
      e.label_id = query->ColumnInt(1);
      e.uri = query->ColumnText(2);
      e.sha256 = query->ColumnText(3);
      e.in_blob = query->ColumnInt(4) != 0;
      e.width = static_cast<int>(query->ColumnInt(5));
      e.height = static_cast<int>(query->ColumnInt(6));
      e.split = query->ColumnText(7);
    }
    if (!query->ColumnIsNull(8)) {
      examples.back().boxes.push_back(
          {static_cast<float>(query->ColumnDouble(8)), static_cast<float>(query->ColumnDouble(9)),
           static_cast<float>(query->ColumnDouble(10)), static_cast<float>(query->ColumnDouble(11)),
           query->ColumnInt(12)});
    }
  }
  return examples;
}

absl::StatusOr<int64_t> Store::CountLabels() {
  std::lock_guard<std::mutex> lock(read_mu_);
  absl::StatusOr<SqliteStatement> query =
      read_db_->Prepare("SELECT COUNT(*) FROM labels WHERE status = 'accepted'");
  if (!query.ok()) return query.status();
  absl::StatusOr<bool> row = query->Step();
  if (!row.ok()) return row.status();
  return query->ColumnInt(0);
}

absl::StatusOr<std::string> Store::ReadImageBytes(const std::string& sha256, bool in_blob,
                                                  const std::string& uri, int64_t max_bytes) const {
  return in_blob ? blobs_.Get(sha256, max_bytes) : ReadFileLimited(uri, max_bytes);
}

absl::Status Store::Transact(const std::function<absl::Status(SqliteDb*)>& fn) {
  absl::Status status = committer_->Commit(fn);
  // Any table may have changed, the classes too (class changes commit through here).
  class_ids_.Invalidate();
  return status;
}

absl::Status Store::Read(const std::function<absl::Status(SqliteDb*)>& fn) {
  std::lock_guard<std::mutex> lock(read_mu_);
  return fn(read_db_.get());
}

}  // namespace labelloop
