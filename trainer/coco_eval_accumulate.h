#ifndef LABELLOOP_TRAINER_COCO_EVAL_ACCUMULATE_H_
#define LABELLOOP_TRAINER_COCO_EVAL_ACCUMULATE_H_

#include <vector>

#include "absl/types/span.h"
#include "trainer/coco_eval_cells.h"
#include "trainer/coco_eval_match.h"
#include "trainer/coco_eval_params.h"

namespace labelloop {

// pycocotools' eval['precision'] [T x R x K x A x M] and eval['recall'] [T x K x A x M]; -1 where
// a category has no counted ground truth in an area range.
class CocoAccumulation {
 public:
  CocoAccumulation(int num_thresholds, int num_recalls, int num_categories, int num_areas,
                   int num_max_dets);

  double precision(int t, int r, int k, int a, int m) const {
    return precision_[PrecisionIndex(t, r, k, a, m)];
  }
  double recall(int t, int k, int a, int m) const { return recall_[RecallIndex(t, k, a, m)]; }
  double& precision(int t, int r, int k, int a, int m) {
    return precision_[PrecisionIndex(t, r, k, a, m)];
  }
  double& recall(int t, int k, int a, int m) { return recall_[RecallIndex(t, k, a, m)]; }

  int num_thresholds() const { return num_thresholds_; }
  int num_recalls() const { return num_recalls_; }
  int num_categories() const { return num_categories_; }
  int num_areas() const { return num_areas_; }
  int num_max_dets() const { return num_max_dets_; }

 private:
  // C order, as numpy lays the arrays out; summarize relies on that order when it averages.
  size_t PrecisionIndex(int t, int r, int k, int a, int m) const;
  size_t RecallIndex(int t, int k, int a, int m) const;

  int num_thresholds_;
  int num_recalls_;
  int num_categories_;
  int num_areas_;
  int num_max_dets_;
  std::vector<double> precision_;
  std::vector<double> recall_;
};

// pycocotools' accumulate. `matches[c][a]` is cell c's match in area range a; cells are ordered by
// category then image, as BuildCocoCells returns them.
CocoAccumulation AccumulateCoco(const CocoEvalParams& params, int num_categories,
                                absl::Span<const CocoCell> cells,
                                const std::vector<std::vector<CocoCellMatch>>& matches);

}  // namespace labelloop

#endif  // LABELLOOP_TRAINER_COCO_EVAL_ACCUMULATE_H_
