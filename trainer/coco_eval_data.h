#ifndef LABELLOOP_TRAINER_COCO_EVAL_DATA_H_
#define LABELLOOP_TRAINER_COCO_EVAL_DATA_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace labelloop {

// A box in COCO's [x, y, width, height] convention, in pixels. IoU uses width and height as they
// are (no +1), as pycocotools' maskUtils.iou does.
struct CocoBox {
  double x = 0;
  double y = 0;
  double width = 0;
  double height = 0;
};

struct CocoImage {
  int64_t id = 0;
  std::string file_name;
  int width = 0;
  int height = 0;
};

struct CocoCategory {
  int64_t id = 0;
  std::string name;
};

struct CocoAnnotation {
  int64_t id = 0;
  int64_t image_id = 0;
  int64_t category_id = 0;
  CocoBox bbox;
  // COCO's 'area' field, which decides the small/medium/large bucket of a ground truth box (for
  // crowd regions it is the mask area, not the box area). When absent, width * height is used.
  std::optional<double> area;
  bool iscrowd = false;
  // COCO's optional 'ignore' field. pycocotools overwrites it with iscrowd before evaluating, so
  // it has no effect unless CocoEvalOptions::honor_ignore_field is set.
  bool ignore = false;
};

// A ground truth set: the images and categories define what is evaluated. Annotations on images or
// categories not listed are not evaluated (pycocotools selects annotations by those ids).
struct CocoGroundTruth {
  std::vector<CocoImage> images;
  std::vector<CocoCategory> categories;
  std::vector<CocoAnnotation> annotations;
};

// One detection as in a COCO results file.
struct CocoDetection {
  int64_t image_id = 0;
  int64_t category_id = 0;
  CocoBox bbox;
  double score = 0;
};

}  // namespace labelloop

#endif  // LABELLOOP_TRAINER_COCO_EVAL_DATA_H_
