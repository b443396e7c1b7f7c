#ifndef LABELLOOP_TRAINER_COCO_EVAL_NUMPY_MEAN_H_
#define LABELLOOP_TRAINER_COCO_EVAL_NUMPY_MEAN_H_

#include "absl/types/span.h"

namespace labelloop {

// numpy.mean of a contiguous float64 array, bit for bit (checked against numpy 1.24): pairwise
// summation (8-way unrolled leaves of up to 128 values) over blocks of 8192 values, block sums
// added in order, then one division. pycocotools averages precisions with it, so a plain loop
// would differ from the reference in the last bits. NaN for an empty span, as numpy.
double NumpyMean(absl::Span<const double> values);

}  // namespace labelloop

#endif  // LABELLOOP_TRAINER_COCO_EVAL_NUMPY_MEAN_H_
