#include "trainer/coco_eval_params.h"

namespace labelloop {

// This file is compiled with -ffp-contract=off: numpy multiplies and then adds in two roundings,
// and a fused multiply-add would change the last bit of some thresholds.
std::vector<double> NumpyLinspace(double start, double stop, int num) {
  std::vector<double> values;
  if (num <= 0) return values;
  values.resize(num);
  const int div = num - 1;
  const double delta = stop - start;
  if (div == 0) {
    values[0] = start;
    return values;
  }
  const double step = delta / div;
  for (int i = 0; i < num; ++i) {
    // numpy divides first when the step underflows to zero (gh-5437).
    const double scaled = step == 0 ? (static_cast<double>(i) / div) * delta : i * step;
    values[i] = scaled + start;
  }
  values[num - 1] = stop;
  return values;
}

CocoEvalParams StandardCocoEvalParams() {
  CocoEvalParams params;
  // pycocotools computes the counts as int(np.round((0.95 - .5) / .05)) + 1 = 10 and 101.
  params.iou_thresholds = NumpyLinspace(0.5, 0.95, 10);
  params.recall_thresholds = NumpyLinspace(0.0, 1.0, 101);
  params.max_detections = {1, 10, 100};
  params.area_ranges = {
      {"all", 0.0, 1e5 * 1e5},
      {"small", 0.0, 32.0 * 32.0},
      {"medium", 32.0 * 32.0, 96.0 * 96.0},
      {"large", 96.0 * 96.0, 1e5 * 1e5},
  };
  return params;
}

}  // namespace labelloop
