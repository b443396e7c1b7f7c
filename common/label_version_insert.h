#ifndef LABELLOOP_COMMON_LABEL_VERSION_INSERT_H_
#define LABELLOOP_COMMON_LABEL_VERSION_INSERT_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "common/box_validation.h"
#include "common/sqlite_db.h"

namespace labelloop {

// One new version of an image's label as the `labels` table holds it. Every writer of labels
// (annotator submissions, imports, reviewer edits) goes through InsertLabelVersion so that
// versions are numbered, and boxes ordered, the same way everywhere.
struct LabelVersionRow {
  int64_t image_id = 0;
  std::string annotator;
  int64_t created_ms = 0;
  // The lease the label was submitted under; empty for labels made without one (imports).
  std::string lease_id;
  // The model whose pre-labels the person started from; empty when unknown or none.
  std::string prelabel_model_version;
  // Without prelabel_model_version: take the model whose pre-labels are stored for the image,
  // which is what the queue showed the annotator.
  bool prelabel_from_stored_scores = false;
  // 'accepted' or 'pending' (see migration 5).
  std::string status = "accepted";
  // 'human', 'import', 'reviewer', ...
  std::string source = "human";
  std::string reviewer;
  int64_t reviewed_ms = 0;
  // The label version this one replaces by an edit; 0 for none.
  int64_t revises_label_id = 0;
};

struct InsertedLabelVersion {
  int64_t id = 0;
  int version = 0;
};

// Inserts `row` as the image's next version (1 for its first label) with `boxes` in order, inside
// the caller's transaction.
absl::StatusOr<InsertedLabelVersion> InsertLabelVersion(SqliteDb* db, const LabelVersionRow& row,
                                                        absl::Span<const ValidBox> boxes);

}  // namespace labelloop

#endif  // LABELLOOP_COMMON_LABEL_VERSION_INSERT_H_
