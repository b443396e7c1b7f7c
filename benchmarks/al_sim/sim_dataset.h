#ifndef LABELLOOP_BENCHMARKS_AL_SIM_SIM_DATASET_H_
#define LABELLOOP_BENCHMARKS_AL_SIM_SIM_DATASET_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace labelloop {

// A ground-truth box in pixels, corners, with its class name: what a perfect annotator submits.
struct SimBox {
  double x1 = 0, y1 = 0, x2 = 0, y2 = 0;
  std::string class_name;
};

struct SimImage {
  std::string path;  // absolute
  int width = 0;
  int height = 0;
  std::vector<SimBox> boxes;
};

// One split of a detection dataset, whatever the format it came from.
struct SimDataset {
  std::vector<std::string> class_names;  // in the dataset's order
  std::vector<SimImage> images;
};

// COCO instances file plus its image folder (file_name is relative to it).
absl::StatusOr<SimDataset> LoadCocoDataset(const std::string& annotations_path,
                                           const std::string& images_dir);

// A Pascal VOC folder: Annotations/*.xml, JPEGImages/, ImageSets/Main/<image_set>.txt. Objects
// marked difficult are kept (a perfect annotator draws them too).
absl::StatusOr<SimDataset> LoadVocDataset(const std::string& root, const std::string& image_set);

}  // namespace labelloop

#endif  // LABELLOOP_BENCHMARKS_AL_SIM_SIM_DATASET_H_
