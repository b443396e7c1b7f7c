#ifndef LABELLOOP_COMMON_STORE_H_
#define LABELLOOP_COMMON_STORE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/blob_store.h"
#include "common/box_validation.h"
#include "common/class_id_cache.h"
#include "common/dir_lock.h"
#include "common/group_commit.h"
#include "common/overlap_records.h"
#include "common/overlap_rule.h"
#include "common/review_rule.h"
#include "common/sqlite_db.h"
#include "common/wal_checkpointer.h"
#include "labelloop/v1/types.pb.h"

namespace labelloop {

struct StoreOptions {
  int busy_timeout_ms = 5000;
  // Share of images whose labels form the validation split, decided once per image.
  double validation_share = 0.2;
  // Which submitted labels wait as pending for a reviewer (default: none, all accepted).
  ReviewRule review;
};

struct NewImage {
  std::string uri;
  std::string sha256;
  bool in_blob = false;  // The bytes are in the blob folder (uploaded), not only at `uri`.
  int64_t size_bytes = 0;
  int width = 0;
  int height = 0;
};

struct AddImageResult {
  int64_t image_id = 0;
  bool duplicate = false;
};

struct StoredImage {
  int64_t id = 0;
  std::string uri;
  std::string sha256;
  bool in_blob = false;
  int64_t size_bytes = 0;
  int width = 0;
  int height = 0;
  // UNLABELED, LABELED or SKIPPED as stored; LEASED when a live lease holds it.
  v1::ImageState state = v1::IMAGE_STATE_UNSPECIFIED;
  std::string split;
  int64_t added_ms = 0;
  int64_t skipped_ms = 0;
  int label_versions = 0;
};

struct StoredLease {
  int64_t image_id = 0;
  std::string lease_id;
  std::string annotator;
  int64_t expires_ms = 0;
  // 0 for an ordinary image's one lease; 1..k for the k concurrent leases of an overlap image.
  int slot = 0;
};

struct NewLabel {
  int64_t image_id = 0;
  std::string lease_id;
  std::string annotator;
  std::string prelabel_model_version;
  std::vector<ValidBox> boxes;
  // Set for an overlap image: the submission counts towards its k (see RecordOverlapSubmission)
  // and the image is marked labeled only with the last one.
  std::optional<OverlapRule> overlap;
};

struct StoredLabel {
  int64_t id = 0;
  int version = 0;
  // Waits for review (StoreOptions::review): neither trains nor counts until accepted.
  bool pending = false;
  OverlapOutcome overlap;
};

// The latest accepted label version of a labeled image, for training and evaluation.
struct LabeledExample {
  int64_t image_id = 0;
  int64_t label_id = 0;
  std::string uri;
  std::string sha256;
  bool in_blob = false;
  int width = 0;
  int height = 0;
  std::string split;
  // Class ids are the store's; ClassIds()/ListClasses() name them.
  std::vector<ValidBox> boxes;
};

struct RemovedImages {
  std::vector<int64_t> removed;
  std::vector<int64_t> not_found;
  // Blobs no image refers to any more; the caller deletes them after the commit.
  std::vector<std::string> orphaned_blobs;
};

// The project's durable state: images, classes, labels and leases in SQLite (WAL, synchronous
// FULL) inside the data folder, uploaded bytes in a content-addressed blob folder beside it.
// Every mutating call is durable when it returns OK: writes from all threads go through a group
// committer (one transaction and one fsync for whatever arrived meanwhile), reads use a second
// connection. Leases are the one exception: PutLeases/DeleteLease return at once and become
// durable with the next group, because a lease lost in a crash only returns an image to the
// queue. Thread-safe.
class Store {
 public:
  // Opens or creates the store in `data_dir` and applies pending schema migrations.
  static absl::StatusOr<std::unique_ptr<Store>> Open(const std::string& data_dir,
                                                     const StoreOptions& options);

  ~Store();

  const BlobStore& blobs() const { return blobs_; }

  std::optional<int64_t> FindImageBySha256(const std::string& sha256);
  // Inserts images in one transaction; an image whose sha256 is already stored (also earlier in
  // the same call) is reported as a duplicate of the existing id and not inserted again.
  absl::StatusOr<std::vector<AddImageResult>> AddImages(const std::vector<NewImage>& images);
  // Images with id > after_id, oldest first. `state` UNSPECIFIED means all. Reflects every
  // lease granted before the call (it waits for queued lease writes).
  absl::StatusOr<std::vector<StoredImage>> ListImages(v1::ImageState state, int64_t after_id,
                                                      int limit, int64_t now_ms);
  absl::StatusOr<StoredImage> GetImage(int64_t image_id, int64_t now_ms);
  // The images of `image_ids` that exist, in the given order, read under one lock of the read
  // connection with one prepared statement (the queue hands out batches).
  absl::StatusOr<std::vector<StoredImage>> GetImages(const std::vector<int64_t>& image_ids,
                                                     int64_t now_ms);
  absl::StatusOr<RemovedImages> RemoveImages(const std::vector<int64_t>& image_ids);

  absl::StatusOr<std::vector<v1::ClassInfo>> ListClasses();
  absl::StatusOr<absl::flat_hash_map<std::string, int64_t>> ClassIds();
  // Makes the class list equal to `names` (kept in the given order for new ones). Refuses to
  // drop a class that boxes use, naming it.
  absl::Status SetClasses(const std::vector<std::string>& names);

  // Records leases (replacing any older lease of the same image); durable with the next group.
  absl::Status PutLeases(const std::vector<StoredLease>& leases);
  absl::Status DeleteLease(int64_t image_id, const std::string& lease_id);
  absl::StatusOr<std::vector<StoredLease>> LoadLeases();

  // Stores a label version and marks the image labeled, in one transaction that also consumes
  // the lease; FAILED_PRECONDITION if the stored lease of the image is not `label.lease_id`.
  absl::StatusOr<StoredLabel> SubmitLabel(const NewLabel& label, int64_t now_ms);
  // Marks the image skipped (behind the queue) and consumes its lease.
  absl::Status SkipImage(int64_t image_id, const std::string& lease_id, int64_t now_ms);
  // The latest label version of an image, if any.
  absl::StatusOr<std::optional<v1::Label>> LatestLabel(int64_t image_id);

  // Images waiting in the queue (UNLABELED or SKIPPED), for building the in-memory queue.
  absl::StatusOr<std::vector<StoredImage>> QueueCandidates();

  // The latest accepted label of every labeled image of `split` ("train", "val", or "" for both),
  // by image id. Pending and rejected versions neither train nor evaluate; machine labels
  // (auto-labeling) train but never evaluate.
  absl::StatusOr<std::vector<LabeledExample>> LabeledExamples(const std::string& split);
  // Accepted label versions stored so far (every accepted submission or edit counts once).
  absl::StatusOr<int64_t> CountLabels();
  // Reads the encoded bytes of an image from the blob folder or its uri.
  absl::StatusOr<std::string> ReadImageBytes(const std::string& sha256, bool in_blob,
                                             const std::string& uri, int64_t max_bytes) const;

  // Runs `fn` on the write connection inside a group transaction (its own savepoint): its
  // changes are durable when this returns OK and rolled back otherwise. For tables owned by other
  // parts (jobs, models, scores) whose schema is in StoreMigrations().
  absl::Status Transact(const std::function<absl::Status(SqliteDb*)>& fn);
  // Runs read-only `fn` on the read connection under its lock.
  absl::Status Read(const std::function<absl::Status(SqliteDb*)>& fn);

  // Waits until every write queued before the call is durable. Reads call it to show leases
  // granted a moment ago (written lazily); when the disk takes no writes (full, failing) it
  // returns OK at once, so reads go on and show those leases a moment late.
  absl::Status Sync();

  // Group transactions committed so far (for benchmarks: operations per fsync).
  int64_t commit_groups() const;

 private:
  Store(std::unique_ptr<DirLock> lock, std::unique_ptr<SqliteDb> write_db,
        std::unique_ptr<SqliteDb> read_db, BlobStore blobs, StoreOptions options);
  absl::Status ConsumeLease(SqliteDb* db, int64_t image_id, const std::string& lease_id);
  absl::StatusOr<absl::flat_hash_map<std::string, int64_t>> ReadClassIds();

  std::unique_ptr<DirLock> lock_;
  std::unique_ptr<SqliteDb> write_db_;  // Used only by committer_'s thread.
  std::unique_ptr<GroupCommitter> committer_;
  std::mutex read_mu_;
  std::unique_ptr<SqliteDb> read_db_;
  // What ClassIds() read last; SetClasses and Transact invalidate it.
  ClassIdCache class_ids_;
  BlobStore blobs_;
  StoreOptions options_;
  // Copies the WAL back into the database off the commit path; stops first (after ~Store has
  // flushed the committer), with a last checkpoint.
  std::unique_ptr<WalCheckpointer> checkpointer_;
};

}  // namespace labelloop

#endif  // LABELLOOP_COMMON_STORE_H_
