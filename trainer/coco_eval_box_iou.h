#ifndef LABELLOOP_TRAINER_COCO_EVAL_BOX_IOU_H_
#define LABELLOOP_TRAINER_COCO_EVAL_BOX_IOU_H_

#include "trainer/coco_eval_data.h"

namespace labelloop {

// The overlap of one detection with one ground truth box as pycocotools' maskUtils.iou (bbIou in
// maskApi.c): intersection over union, or over the detection's own area when the ground truth is
// a crowd region (a detection inside a crowd counts as fully covered). 0 when boxes do not overlap.
double CocoBoxIou(const CocoBox& det, const CocoBox& gt, bool gt_is_crowd);

}  // namespace labelloop

#endif  // LABELLOOP_TRAINER_COCO_EVAL_BOX_IOU_H_
