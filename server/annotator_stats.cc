#include "server/annotator_stats.h"

#include "absl/strings/str_cat.h"

namespace labelloop {
namespace {

constexpr int64_t kDaySeconds = 86400;
constexpr int kDefaultLimit = 100;
constexpr int kMaxLimit = 10000;

// Adds one (annotator, bucket) row's counts to `counts`, keeping the mean exact.
void Accumulate(const v1::AnnotatorCounts& row, v1::AnnotatorCounts* counts) {
  int64_t n = counts->agreement_labels() + row.agreement_labels();
  double sum = counts->mean_agreement() * counts->agreement_labels() +
               row.mean_agreement() * row.agreement_labels();
  counts->set_labels_submitted(counts->labels_submitted() + row.labels_submitted());
  counts->set_overlap_labels(counts->overlap_labels() + row.overlap_labels());
  counts->set_agreement_labels(n);
  counts->set_mean_agreement(n > 0 ? sum / static_cast<double>(n) : 0.0);
}

}  // namespace

absl::StatusOr<v1::GetAnnotatorStatsResponse> ReadAnnotatorStats(
    Store* store, const v1::GetAnnotatorStatsRequest& request) {
  if (request.bucket_seconds() < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("bucket_seconds must be >= 0 (0: a day), got ", request.bucket_seconds()));
  }
  if (request.since_unix_ms() < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("since_unix_ms must be >= 0, got ", request.since_unix_ms()));
  }
  const int64_t bucket_ms =
      (request.bucket_seconds() > 0 ? request.bucket_seconds() : kDaySeconds) * 1000;
  v1::GetAnnotatorStatsResponse response;
  response.set_bucket_seconds(bucket_ms / 1000);
  absl::Status read = store->Read([&](SqliteDb* db) -> absl::Status {
    // Annotators' own submissions only: not reviewers' edits, machine or imported labels
    // (labels.source), nor the versions a class change wrote.
    absl::StatusOr<SqliteStatement> query = db->Prepare(
        "SELECT l.annotator, (l.created_ms / ?1) * ?1 AS bucket, COUNT(*),"
        " COUNT(o.image_id), COUNT(a.agreement), COALESCE(AVG(a.agreement), 0)"
        " FROM labels l"
        " LEFT JOIN overlap_images o ON o.image_id = l.image_id"
        " LEFT JOIN overlap_agreements a ON a.label_id = l.id"
        " WHERE l.source = 'human' AND (?2 = '' OR l.annotator = ?2) AND l.created_ms >= ?3"
        " AND l.id NOT IN (SELECT new_label_id FROM class_change_labels)"
        " GROUP BY l.annotator, bucket ORDER BY l.annotator, bucket");
    if (!query.ok()) return query.status();
    query->Bind(1, bucket_ms).Bind(2, request.annotator()).Bind(3, request.since_unix_ms());
    while (true) {
      absl::StatusOr<bool> row = query->Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      std::string annotator = query->ColumnText(0);
      if (response.annotators().empty() ||
          response.annotators(response.annotators_size() - 1).annotator() != annotator) {
        response.add_annotators()->set_annotator(annotator);
      }
      v1::AnnotatorStats* stats = response.mutable_annotators(response.annotators_size() - 1);
      v1::AnnotatorBucket* bucket = stats->add_buckets();
      bucket->set_start_unix_ms(query->ColumnInt(1));
      v1::AnnotatorCounts* counts = bucket->mutable_counts();
      counts->set_labels_submitted(query->ColumnInt(2));
      counts->set_overlap_labels(query->ColumnInt(3));
      counts->set_agreement_labels(query->ColumnInt(4));
      counts->set_mean_agreement(query->ColumnDouble(5));
      Accumulate(*counts, stats->mutable_total());
    }
    return absl::OkStatus();
  });
  if (!read.ok()) return read;
  return response;
}

absl::StatusOr<v1::ListOverlapImagesResponse> ReadOverlapImages(
    Store* store, const v1::ListOverlapImagesRequest& request) {
  if (request.limit() < 0 || request.limit() > kMaxLimit) {
    return absl::InvalidArgumentError(absl::StrCat(
        "limit must be in [0, ", kMaxLimit, "] (0: ", kDefaultLimit, "), got ", request.limit()));
  }
  const int64_t limit = request.limit() > 0 ? request.limit() : kDefaultLimit;
  v1::ListOverlapImagesResponse response;
  absl::Status read = store->Read([&](SqliteDb* db) -> absl::Status {
    absl::StatusOr<SqliteStatement> images = db->Prepare(
        "SELECT image_id, agreement, sent_to_review, completed_ms FROM overlap_images"
        " WHERE completed_ms > 0 AND (?1 = 0 OR sent_to_review = 1)"
        " ORDER BY agreement, image_id LIMIT ?2");
    if (!images.ok()) return images.status();
    images->Bind(1, static_cast<int64_t>(request.only_disagreements())).Bind(2, limit);
    while (true) {
      absl::StatusOr<bool> row = images->Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      v1::OverlapImageAgreement* image = response.add_images();
      image->set_image_id(images->ColumnInt(0));
      image->set_agreement(images->ColumnDouble(1));
      image->set_sent_to_review(images->ColumnInt(2) != 0);
      image->set_completed_unix_ms(images->ColumnInt(3));
    }
    absl::StatusOr<SqliteStatement> labels = db->Prepare(
        "SELECT label_id, annotator, agreement FROM overlap_agreements WHERE image_id = ?"
        " ORDER BY label_id");
    if (!labels.ok()) return labels.status();
    for (v1::OverlapImageAgreement& image : *response.mutable_images()) {
      labels->Reset();
      labels->Bind(1, image.image_id());
      while (true) {
        absl::StatusOr<bool> row = labels->Step();
        if (!row.ok()) return row.status();
        if (!*row) break;
        v1::OverlapLabelAgreement* label = image.add_labels();
        label->set_label_id(labels->ColumnInt(0));
        label->set_annotator(labels->ColumnText(1));
        label->set_agreement(labels->ColumnDouble(2));
      }
    }
    return absl::OkStatus();
  });
  if (!read.ok()) return read;
  return response;
}

}  // namespace labelloop
