#include "server/label_export.h"

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "labelloop/v1/model.pb.h"
#include "server/image_proto.h"

namespace labelloop {
namespace {

constexpr int kPageSize = 256;

// The latest accepted label of each image after `after_image_id` (at most kPageSize), with its
// boxes and class names, in image order. Accepted labels are the ones that train and evaluate.
absl::Status ReadLabelPage(Store* store, const std::string& split, int64_t after_image_id,
                           std::vector<v1::Label>* labels) {
  return store->Read([&](SqliteDb* db) -> absl::Status {
    absl::StatusOr<SqliteStatement> query = db->PrepareCached(
        "SELECT l.id, l.image_id, l.version, l.annotator, l.created_ms, l.prelabel_model_version"
        " FROM labels l JOIN images i ON i.id = l.image_id"
        " WHERE l.image_id > ?1 AND l.status = 'accepted' AND (?2 = '' OR i.split = ?2)"
        " AND NOT EXISTS(SELECT 1 FROM labels l2 WHERE l2.image_id = l.image_id"
        "   AND l2.status = 'accepted' AND l2.version > l.version)"
        " ORDER BY l.image_id LIMIT ?3");
    if (!query.ok()) return query.status();
    query->Bind(1, after_image_id).Bind(2, split).Bind(3, static_cast<int64_t>(kPageSize));
    while (true) {
      absl::StatusOr<bool> row = query->Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      v1::Label& label = labels->emplace_back();
      label.set_id(query->ColumnInt(0));
      label.set_image_id(query->ColumnInt(1));
      label.set_version(static_cast<int32_t>(query->ColumnInt(2)));
      label.set_annotator(query->ColumnText(3));
      label.set_created_unix_ms(query->ColumnInt(4));
      label.set_prelabel_model_version(query->ColumnText(5));
    }
    query->Reset();
    absl::StatusOr<SqliteStatement> boxes = db->PrepareCached(
        "SELECT b.x1, b.y1, b.x2, b.y2, c.name FROM boxes b JOIN classes c ON c.id = b.class_id"
        " WHERE b.label_id = ? ORDER BY b.idx");
    if (!boxes.ok()) return boxes.status();
    for (v1::Label& label : *labels) {
      boxes->Reset();
      boxes->Bind(1, label.id());
      while (true) {
        absl::StatusOr<bool> row = boxes->Step();
        if (!row.ok()) return row.status();
        if (!*row) break;
        v1::Box* box = label.add_boxes();
        box->set_x1(static_cast<float>(boxes->ColumnDouble(0)));
        box->set_y1(static_cast<float>(boxes->ColumnDouble(1)));
        box->set_x2(static_cast<float>(boxes->ColumnDouble(2)));
        box->set_y2(static_cast<float>(boxes->ColumnDouble(3)));
        box->set_class_name(boxes->ColumnText(4));
      }
    }
    boxes->Reset();
    return absl::OkStatus();
  });
}

// The stored predictions of images after `after_image_id` (at most kPageSize), in image order.
absl::Status ReadPredictionPage(Store* store, const std::string& split, int64_t after_image_id,
                                std::vector<std::pair<int64_t, v1::PredictResponse>>* page) {
  return store->Read([&](SqliteDb* db) -> absl::Status {
    absl::StatusOr<SqliteStatement> query = db->PrepareCached(
        "SELECT s.image_id, s.predictions FROM image_scores s JOIN images i ON i.id = s.image_id"
        " WHERE s.image_id > ?1 AND (?2 = '' OR i.split = ?2) ORDER BY s.image_id LIMIT ?3");
    if (!query.ok()) return query.status();
    query->Bind(1, after_image_id).Bind(2, split).Bind(3, static_cast<int64_t>(kPageSize));
    while (true) {
      absl::StatusOr<bool> row = query->Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      v1::PredictResponse predictions;
      if (!predictions.ParseFromString(query->ColumnBlob(1))) {
        return absl::DataLossError(
            absl::StrCat("stored predictions of image ", query->ColumnInt(0), " are unreadable"));
      }
      page->emplace_back(query->ColumnInt(0), std::move(predictions));
    }
    query->Reset();
    return absl::OkStatus();
  });
}

}  // namespace

absl::Status ExportLabels(Store* store, const v1::ExportLabelsRequest& request, int64_t now_ms,
                          const std::function<bool(const v1::ExportedImage&)>& write) {
  const std::string& split = request.split();
  if (!split.empty() && split != "train" && split != "val") {
    return absl::InvalidArgumentError(
        absl::StrCat("split: want \"train\", \"val\" or \"\" (both), got \"", split, "\""));
  }
  int64_t after = 0;
  while (true) {
    std::vector<v1::ExportedImage> page;
    if (request.predictions()) {
      std::vector<std::pair<int64_t, v1::PredictResponse>> predictions;
      absl::Status status = ReadPredictionPage(store, split, after, &predictions);
      if (!status.ok()) return status;
      for (auto& [image_id, response] : predictions) {
        v1::ExportedImage& item = page.emplace_back();
        item.mutable_image()->set_id(image_id);
        *item.mutable_predictions() = std::move(*response.mutable_detections());
        item.set_prediction_model_version(response.model_version());
      }
    } else {
      std::vector<v1::Label> labels;
      absl::Status status = ReadLabelPage(store, split, after, &labels);
      if (!status.ok()) return status;
      for (v1::Label& label : labels) {
        v1::ExportedImage& item = page.emplace_back();
        item.mutable_image()->set_id(label.image_id());
        *item.mutable_label() = std::move(label);
      }
    }
    if (page.empty()) return absl::OkStatus();
    std::vector<int64_t> ids;
    for (const v1::ExportedImage& item : page) ids.push_back(item.image().id());
    absl::StatusOr<std::vector<StoredImage>> images = store->GetImages(ids, now_ms);
    if (!images.ok()) return images.status();
    // GetImages keeps the order and skips images removed since the page was read.
    size_t next = 0;
    for (v1::ExportedImage& item : page) {
      if (next < images->size() && (*images)[next].id == item.image().id()) {
        *item.mutable_image() = ToImageProto((*images)[next++]);
        if (!write(item)) return absl::CancelledError("the client went away");
      }
    }
    after = ids.back();
  }
}

}  // namespace labelloop
