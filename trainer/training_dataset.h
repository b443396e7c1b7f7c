#ifndef LABELLOOP_TRAINER_TRAINING_DATASET_H_
#define LABELLOOP_TRAINER_TRAINING_DATASET_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "trainer/training_example.h"

namespace labelloop {

class Store;

// One labeled image as training sees it: where its bytes are, and its latest accepted label with
// boxes already in detector class indices.
struct DatasetItem {
  int64_t image_id = 0;
  int64_t label_id = 0;
  std::string uri;
  std::string sha256;
  bool in_blob = false;
  int width = 0;
  int height = 0;
  std::vector<TrainingBox> boxes;
};

// Every labeled image of the project, by split, read once at the start of a job: labels
// accepted while the job runs wait for the next round, so one job sees one consistent set.
struct TrainingDataset {
  // Detector class i + 1 is class_names[i]: the store's classes in id order.
  std::vector<std::string> class_names;
  std::vector<int64_t> class_ids;  // the store's id of each of class_names
  std::vector<DatasetItem> train;
  std::vector<DatasetItem> val;
  // Boxes whose class is no longer listed (not expected: the store refuses to drop a class in
  // use), left out.
  int64_t dropped_boxes = 0;
};

absl::StatusOr<TrainingDataset> LoadTrainingDataset(Store* store);

// Reads and decodes an item's image as 8-bit BGR (OpenCV's IMREAD_COLOR, as serving decodes)
// with its boxes. Errors name the image. Safe from several threads at once.
absl::StatusOr<TrainingExample> DecodeDatasetItem(const Store& store, const DatasetItem& item,
                                                  int64_t max_image_bytes);

}  // namespace labelloop

#endif  // LABELLOOP_TRAINER_TRAINING_DATASET_H_
