#include "trainer/coco_eval_accumulate.h"

#include <algorithm>
#include <cfloat>

namespace labelloop {
namespace {

// One detection in the per-category ranking that accumulate builds across images.
struct RankedDetection {
  double score;
  int cell;
  int detection;
};

// Precision and recall over the ranked detections at one IoU threshold, then pycocotools'
// interpolation: precision made non-increasing from the right and read at the first rank whose
// recall reaches each recall threshold (np.searchsorted side='left'); 0 past the last rank.
void AccumulateThreshold(const CocoEvalParams& params, absl::Span<const RankedDetection> ranked,
                         const std::vector<std::vector<CocoCellMatch>>& matches, int area,
                         int threshold, int num_counted_gts, CocoAccumulation& out, int k, int m) {
  const size_t nd = ranked.size();
  std::vector<double> rc(nd);
  std::vector<double> pr(nd);
  // Ignored detections keep their slot (the cumulative sums just do not move there), as in numpy.
  double tp = 0;
  double fp = 0;
  for (size_t i = 0; i < nd; ++i) {
    const RankedDetection& det = ranked[i];
    switch (matches[det.cell][area].outcome(threshold, det.detection)) {
      case CocoDetectionOutcome::kTruePositive:
        tp += 1;
        break;
      case CocoDetectionOutcome::kFalsePositive:
        fp += 1;
        break;
      case CocoDetectionOutcome::kIgnored:
        break;
    }
    rc[i] = tp / num_counted_gts;
    // np.spacing(1) == DBL_EPSILON; added after fp + tp, in that order.
    pr[i] = tp / (fp + tp + DBL_EPSILON);
  }
  out.recall(threshold, k, area, m) = nd > 0 ? rc[nd - 1] : 0;
  for (size_t i = nd; i-- > 1;) {
    if (pr[i] > pr[i - 1]) pr[i - 1] = pr[i];
  }
  const std::vector<double>& recall_thresholds = params.recall_thresholds;
  for (size_t r = 0; r < recall_thresholds.size(); ++r) {
    const size_t pi = std::lower_bound(rc.begin(), rc.end(), recall_thresholds[r]) - rc.begin();
    out.precision(threshold, static_cast<int>(r), k, area, m) = pi < nd ? pr[pi] : 0;
  }
}

}  // namespace

CocoAccumulation::CocoAccumulation(int num_thresholds, int num_recalls, int num_categories,
                                   int num_areas, int num_max_dets)
    : num_thresholds_(num_thresholds),
      num_recalls_(num_recalls),
      num_categories_(num_categories),
      num_areas_(num_areas),
      num_max_dets_(num_max_dets),
      precision_(static_cast<size_t>(num_thresholds) * num_recalls * num_categories * num_areas *
                     num_max_dets,
                 -1.0),
      recall_(static_cast<size_t>(num_thresholds) * num_categories * num_areas * num_max_dets,
              -1.0) {}

size_t CocoAccumulation::PrecisionIndex(int t, int r, int k, int a, int m) const {
  return (((static_cast<size_t>(t) * num_recalls_ + r) * num_categories_ + k) * num_areas_ + a) *
             num_max_dets_ +
         m;
}

size_t CocoAccumulation::RecallIndex(int t, int k, int a, int m) const {
  return ((static_cast<size_t>(t) * num_categories_ + k) * num_areas_ + a) * num_max_dets_ + m;
}

CocoAccumulation AccumulateCoco(const CocoEvalParams& params, int num_categories,
                                absl::Span<const CocoCell> cells,
                                const std::vector<std::vector<CocoCellMatch>>& matches) {
  const int num_thresholds = static_cast<int>(params.iou_thresholds.size());
  const int num_areas = static_cast<int>(params.area_ranges.size());
  const int num_max_dets = static_cast<int>(params.max_detections.size());
  CocoAccumulation out(num_thresholds, static_cast<int>(params.recall_thresholds.size()),
                       num_categories, num_areas, num_max_dets);
  std::vector<RankedDetection> ranked;
  size_t begin = 0;
  while (begin < cells.size()) {
    const int k = cells[begin].category_index;
    size_t end = begin;
    while (end < cells.size() && cells[end].category_index == k) ++end;
    for (int m = 0; m < num_max_dets; ++m) {
      const size_t max_dets = static_cast<size_t>(params.max_detections[m]);
      // Each image's best `max_dets` detections, concatenated in image order, then one stable
      // sort by score (np.argsort(-dtScores, kind='mergesort')), so ties keep image order.
      ranked.clear();
      for (size_t c = begin; c < end; ++c) {
        const size_t n = std::min(cells[c].det_scores.size(), max_dets);
        for (size_t d = 0; d < n; ++d) {
          ranked.push_back({cells[c].det_scores[d], static_cast<int>(c), static_cast<int>(d)});
        }
      }
      std::stable_sort(ranked.begin(), ranked.end(),
                       [](const RankedDetection& a, const RankedDetection& b) {
                         return CocoScoreRanksBefore(a.score, b.score);
                       });
      for (int a = 0; a < num_areas; ++a) {
        int num_counted_gts = 0;
        for (size_t c = begin; c < end; ++c) num_counted_gts += matches[c][a].num_counted_gts;
        // No counted ground truth: precision and recall stay -1 (the category is left out).
        if (num_counted_gts == 0) continue;
        for (int t = 0; t < num_thresholds; ++t) {
          AccumulateThreshold(params, ranked, matches, a, t, num_counted_gts, out, k, m);
        }
      }
    }
    begin = end;
  }
  return out;
}

}  // namespace labelloop
