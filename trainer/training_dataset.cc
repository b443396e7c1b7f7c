#include "trainer/training_dataset.h"

#include <algorithm>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "common/store.h"

namespace labelloop {
namespace {

absl::StatusOr<std::vector<DatasetItem>> LoadSplit(
    Store* store, const std::string& split,
    const absl::flat_hash_map<int64_t, int64_t>& detector_index, int64_t* dropped_boxes) {
  absl::StatusOr<std::vector<LabeledExample>> examples = store->LabeledExamples(split);
  if (!examples.ok()) return examples.status();
  std::vector<DatasetItem> items;
  items.reserve(examples->size());
  for (LabeledExample& example : *examples) {
    DatasetItem& item = items.emplace_back();
    item.image_id = example.image_id;
    item.label_id = example.label_id;
    item.uri = std::move(example.uri);
    item.sha256 = std::move(example.sha256);
    item.in_blob = example.in_blob;
    item.width = example.width;
    item.height = example.height;
    item.boxes.reserve(example.boxes.size());
    for (const ValidBox& box : example.boxes) {
      auto it = detector_index.find(box.class_id);
      if (it == detector_index.end()) {
        ++*dropped_boxes;
        continue;
      }
      item.boxes.push_back({box.x1, box.y1, box.x2, box.y2, it->second});
    }
  }
  return items;
}

}  // namespace

absl::StatusOr<TrainingDataset> LoadTrainingDataset(Store* store) {
  absl::StatusOr<std::vector<v1::ClassInfo>> classes = store->ListClasses();
  if (!classes.ok()) return classes.status();
  TrainingDataset dataset;
  absl::flat_hash_map<int64_t, int64_t> detector_index;
  for (const v1::ClassInfo& c : *classes) {
    dataset.class_names.push_back(c.name());
    dataset.class_ids.push_back(c.id());
    detector_index[c.id()] = static_cast<int64_t>(dataset.class_names.size());
  }
  absl::StatusOr<std::vector<DatasetItem>> train =
      LoadSplit(store, "train", detector_index, &dataset.dropped_boxes);
  if (!train.ok()) return train.status();
  absl::StatusOr<std::vector<DatasetItem>> val =
      LoadSplit(store, "val", detector_index, &dataset.dropped_boxes);
  if (!val.ok()) return val.status();
  dataset.train = *std::move(train);
  dataset.val = *std::move(val);
  return dataset;
}

absl::StatusOr<TrainingExample> DecodeDatasetItem(const Store& store, const DatasetItem& item,
                                                  int64_t max_image_bytes) {
  absl::StatusOr<std::string> bytes =
      store.ReadImageBytes(item.sha256, item.in_blob, item.uri, max_image_bytes);
  if (!bytes.ok()) {
    return absl::Status(bytes.status().code(), absl::StrCat("image ", item.image_id, " (", item.uri,
                                                            "): ", bytes.status().message()));
  }
  TrainingExample example;
  example.image_id = item.image_id;
  const cv::Mat raw(1, static_cast<int>(bytes->size()), CV_8UC1, bytes->data());
  example.image = cv::imdecode(raw, cv::IMREAD_COLOR);
  if (example.image.empty()) {
    return absl::DataLossError(
        absl::StrCat("image ", item.image_id, " (", item.uri, "): cannot be decoded"));
  }
  // Labels were validated against the stored size; a file that changed size under its uri
  // would put every box in the wrong place.
  if (item.width > 0 && item.height > 0 &&
      (example.image.cols != item.width || example.image.rows != item.height)) {
    return absl::DataLossError(absl::StrCat("image ", item.image_id, " (", item.uri, "): is ",
                                            example.image.cols, "x", example.image.rows,
                                            " but was labeled at ", item.width, "x", item.height));
  }
  example.boxes = item.boxes;
  return example;
}

}  // namespace labelloop
