#include "server/label_import.h"

#include <set>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "common/class_changes.h"
#include "common/imported_labels.h"

namespace labelloop {
namespace {

constexpr int kMaxLabelsPerRequest = 10000;
constexpr size_t kMaxSourceLength = 200;

void Reject(int index, int64_t image_id, const std::string& error,
            v1::ImportLabelsResponse* response) {
  v1::RejectedLabel* rejected = response->add_rejected();
  rejected->set_index(index);
  rejected->set_image_id(image_id);
  rejected->set_error(error);
}

// Adds the class names the labels use that the project lacks; a name that is not a valid class
// name is left for box validation to reject with the label that uses it.
absl::Status AddMissingClasses(Store* store, const v1::ImportLabelsRequest& request, int64_t now_ms,
                               v1::ImportLabelsResponse* response) {
  absl::StatusOr<absl::flat_hash_map<std::string, int64_t>> known = store->ClassIds();
  if (!known.ok()) return known.status();
  // In order of first use, so a fresh project lists classes as the file does.
  std::vector<std::string> missing;
  std::set<std::string> seen;
  for (const v1::ImportedLabel& label : request.labels()) {
    for (const v1::Box& box : label.boxes()) {
      if (!known->contains(box.class_name()) && seen.insert(box.class_name()).second) {
        missing.push_back(box.class_name());
      }
    }
  }
  for (const std::string& name : missing) {
    if (!ValidateClassName(name, "class_name").ok()) continue;
    absl::StatusOr<v1::ClassChange> added = AddClass(store, name, now_ms);
    if (!added.ok()) return added.status();
    response->add_added_classes(name);
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ImportLabels(Store* store, const LabelImportOptions& options,
                          const v1::ImportLabelsRequest& request, int64_t now_ms,
                          v1::ImportLabelsResponse* response,
                          std::vector<int64_t>* imported_image_ids) {
  if (request.labels_size() > kMaxLabelsPerRequest) {
    return absl::InvalidArgumentError(absl::StrCat("labels: at most ", kMaxLabelsPerRequest,
                                                   " per request, got ", request.labels_size(),
                                                   "; send them in several requests"));
  }
  if (request.source().size() > kMaxSourceLength) {
    return absl::InvalidArgumentError(absl::StrCat("source: at most ", kMaxSourceLength,
                                                   " bytes, got ", request.source().size()));
  }
  if (request.add_missing_classes()) {
    absl::Status status = AddMissingClasses(store, request, now_ms, response);
    if (!status.ok()) return status;
  }
  absl::StatusOr<absl::flat_hash_map<std::string, int64_t>> class_ids = store->ClassIds();
  if (!class_ids.ok()) return class_ids.status();
  const std::string annotator =
      absl::StrCat("import:", request.source().empty() ? "file" : request.source());

  std::vector<int64_t> ids;
  for (const v1::ImportedLabel& label : request.labels()) {
    if (label.image_case() == v1::ImportedLabel::kImageId) ids.push_back(label.image_id());
  }
  absl::StatusOr<std::vector<StoredImage>> by_id = store->GetImages(ids, now_ms);
  if (!by_id.ok()) return by_id.status();
  absl::flat_hash_map<int64_t, StoredImage> images;
  for (StoredImage& image : *by_id) images[image.id] = std::move(image);

  std::vector<ImportedLabelRow> rows;
  for (int index = 0; index < request.labels_size(); ++index) {
    const v1::ImportedLabel& label = request.labels(index);
    int64_t image_id = 0;
    switch (label.image_case()) {
      case v1::ImportedLabel::kImageId:
        image_id = label.image_id();
        break;
      case v1::ImportedLabel::kSha256: {
        std::optional<int64_t> found = store->FindImageBySha256(label.sha256());
        if (!found.has_value()) {
          Reject(index, 0, absl::StrCat("no image with sha256 ", label.sha256()), response);
          continue;
        }
        image_id = *found;
        if (!images.contains(image_id)) {
          absl::StatusOr<StoredImage> image = store->GetImage(image_id, now_ms);
          if (!image.ok()) return image.status();
          images[image_id] = *std::move(image);
        }
        break;
      }
      default:
        Reject(index, 0, "neither image_id nor sha256 given", response);
        continue;
    }
    auto image = images.find(image_id);
    if (image == images.end()) {
      Reject(index, image_id, absl::StrCat("image ", image_id, " not found"), response);
      continue;
    }
    BoxRules rules{image->second.width, image->second.height, options.box_tolerance_pixels,
                   options.max_boxes_per_image};
    absl::StatusOr<std::vector<ValidBox>> boxes = ValidateBoxes(label.boxes(), rules, *class_ids);
    if (!boxes.ok()) {
      Reject(index, image_id, std::string(boxes.status().message()), response);
      continue;
    }
    rows.push_back({image_id, annotator, *std::move(boxes)});
  }
  if (rows.empty()) return absl::OkStatus();
  absl::StatusOr<std::vector<StoredLabel>> stored = StoreImportedLabels(store, rows, now_ms);
  if (!stored.ok()) return stored.status();
  response->set_imported(static_cast<int32_t>(stored->size()));
  for (const StoredLabel& label : *stored) response->add_label_ids(label.id);
  for (const ImportedLabelRow& row : rows) imported_image_ids->push_back(row.image_id);
  return absl::OkStatus();
}

}  // namespace labelloop
