#ifndef LABELLOOP_COMMON_AGREEMENT_H_
#define LABELLOOP_COMMON_AGREEMENT_H_

#include <vector>

#include "common/box_validation.h"

namespace labelloop {

// How well annotators who labeled the same image agree (annotator overlap, OverlapConfig).
//
// Two labels A and B of one image are compared box by box: every pair (a, b) of the same class
// with IoU >= `match_iou` is a candidate; candidates are taken greedily by IoU, highest first,
// each box matched at most once (the COCO matching, with IoU in place of the detection score).
// With m matched pairs,
//
//   pair agreement(A, B) = m / (|A| + |B| - m)
//
// i.e. matched boxes over the union of boxes (a matched pair counts once): 1 when every box has
// a same-class partner, 0 when none has; two empty labels agree fully (1). An image's agreement
// is the mean pair agreement over every pair of its k labels.
struct ImageAgreement {
  // Mean over all k*(k-1)/2 pairs; 1 for fewer than two labels.
  double agreement = 1.0;
  // Per label (same order as given): its mean pair agreement with each of the others.
  std::vector<double> per_label;
};

// Intersection over union of two boxes (0 when either has no area).
double BoxIou(const ValidBox& a, const ValidBox& b);

// Matched pairs between `a` and `b` (same class, IoU >= match_iou, greedy by IoU).
int MatchBoxes(const std::vector<ValidBox>& a, const std::vector<ValidBox>& b, double match_iou);

double PairAgreement(const std::vector<ValidBox>& a, const std::vector<ValidBox>& b,
                     double match_iou);

ImageAgreement ComputeAgreement(const std::vector<std::vector<ValidBox>>& labels, double match_iou);

}  // namespace labelloop

#endif  // LABELLOOP_COMMON_AGREEMENT_H_
