#ifndef LABELLOOP_BENCHMARKS_AL_SIM_SIM_DATASET_H_
#define LABELLOOP_BENCHMARKS_AL_SIM_SIM_DATASET_H_

#include <string>

#include "absl/status/statusor.h"
#include "formats/format_dataset.h"

namespace labelloop {

// The simulator's ground truth is a dataset as formats/ reads it: a box is what a perfect
// annotator submits.
using SimBox = FormatBox;
using SimImage = FormatImage;
using SimDataset = FormatDataset;

// COCO instances file plus its image folder (file_name is relative to it). What the importer
// skips (crowd regions, degenerate boxes, missing files...) is summed up on stderr.
absl::StatusOr<SimDataset> LoadCocoDataset(const std::string& annotations_path,
                                           const std::string& images_dir);

// A Pascal VOC folder: Annotations/*.xml, JPEGImages/, ImageSets/Main/<image_set>.txt. Objects
// marked difficult are kept (a perfect annotator draws them too).
absl::StatusOr<SimDataset> LoadVocDataset(const std::string& root, const std::string& image_set);

// A YOLO txt folder (formats/yolo_format.h): classes.txt or obj.names, and images/ with labels/
// beside it (or the label files next to the images). An image without a label file is a
// background image, as in Ultralytics.
absl::StatusOr<SimDataset> LoadYoloDataset(const std::string& root);

}  // namespace labelloop

#endif  // LABELLOOP_BENCHMARKS_AL_SIM_SIM_DATASET_H_
