#ifndef LABELLOOP_TRAINER_COCO_EVAL_PARAMS_H_
#define LABELLOOP_TRAINER_COCO_EVAL_PARAMS_H_

#include <string>
#include <vector>

namespace labelloop {

// numpy.linspace(start, stop, num) with endpoint=True, bit for bit: start + i * step with
// step = (stop - start) / (num - 1), and the last element set to exactly `stop`. pycocotools'
// thresholds come from it, and summarize() looks thresholds up with ==, so the bits matter.
std::vector<double> NumpyLinspace(double start, double stop, int num);

// An object-area bucket; bounds are inclusive on both ends, as in pycocotools.
struct CocoAreaRange {
  std::string label;
  double min_area = 0;
  double max_area = 0;
};

// The knobs of pycocotools' Params for iouType 'bbox'.
struct CocoEvalParams {
  std::vector<double> iou_thresholds;
  std::vector<double> recall_thresholds;
  std::vector<int> max_detections;  // ascending; the last one caps detections per image/category
  std::vector<CocoAreaRange> area_ranges;
};

// pycocotools' defaults: IoU linspace(.5, .95, 10), recall linspace(0, 1, 101), maxDets
// [1, 10, 100], areas all [0, 1e10], small [0, 32^2], medium [32^2, 96^2], large [96^2, 1e10].
CocoEvalParams StandardCocoEvalParams();

}  // namespace labelloop

#endif  // LABELLOOP_TRAINER_COCO_EVAL_PARAMS_H_
