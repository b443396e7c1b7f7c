#ifndef LABELLOOP_FORMATS_FORMAT_DATASET_H_
#define LABELLOOP_FORMATS_FORMAT_DATASET_H_

#include <optional>
#include <string>
#include <vector>

namespace labelloop {

// A box in pixels of the original image, corners x1,y1 (top-left) and x2,y2 (bottom-right), as
// the daemon stores them; each format's reader converts its own convention into this one.
struct FormatBox {
  double x1 = 0, y1 = 0, x2 = 0, y2 = 0;
  std::string class_name;
  // A model's confidence, for predictions; absent for human labels.
  std::optional<double> score;
};

struct FormatImage {
  // The image file on this machine (absolute, or as the user wrote it), for adding the image.
  std::string path;
  // The name the annotation file uses for it (COCO file_name, VOC filename, YOLO stem), kept so
  // that an export names files as the import did.
  std::string file_name;
  int width = 0;
  int height = 0;
  // Empty means "this image has no objects" (a labeled background image).
  std::vector<FormatBox> boxes;
};

// A labeled (or predicted) detection dataset, whatever the format it came from or goes to.
struct FormatDataset {
  // In the dataset's order (COCO category order, YOLO class index, VOC first appearance).
  std::vector<std::string> class_names;
  std::vector<FormatImage> images;
};

}  // namespace labelloop

#endif  // LABELLOOP_FORMATS_FORMAT_DATASET_H_
