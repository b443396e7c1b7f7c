#include "trainer/coco_eval.h"

#include <optional>
#include <utility>

#include "trainer/coco_eval_cells.h"
#include "trainer/coco_eval_match.h"
#include "trainer/coco_eval_numpy_mean.h"

namespace labelloop {
namespace {

// Which slice of the precision or recall array one summary value averages.
struct SummarySlice {
  bool precision = true;      // AP (precision) or AR (recall)
  std::optional<double> iou;  // one threshold (matched with ==), or all of them
  std::string area = "all";
  int max_dets = 100;
  std::optional<int> category;  // one category, or all of them
};

// pycocotools' _summarize: the mean of the selected values that are > -1, or -1 when none is.
// Values are gathered in numpy's C order (t, r, k) so that the mean is the same to the last bit.
double Summarize(const CocoAccumulation& acc, const CocoEvalParams& params,
                 const SummarySlice& slice) {
  int area = -1;
  for (size_t a = 0; a < params.area_ranges.size() && area < 0; ++a) {
    if (params.area_ranges[a].label == slice.area) area = static_cast<int>(a);
  }
  int max_dets = -1;
  for (size_t m = 0; m < params.max_detections.size() && max_dets < 0; ++m) {
    if (params.max_detections[m] == slice.max_dets) max_dets = static_cast<int>(m);
  }
  if (area < 0 || max_dets < 0) return -1;
  const int k_begin = slice.category.value_or(0);
  const int k_end = slice.category ? *slice.category + 1 : acc.num_categories();
  const int num_recalls = slice.precision ? acc.num_recalls() : 1;
  std::vector<double> values;
  for (int t = 0; t < acc.num_thresholds(); ++t) {
    if (slice.iou && params.iou_thresholds[t] != *slice.iou) continue;
    for (int r = 0; r < num_recalls; ++r) {
      for (int k = k_begin; k < k_end; ++k) {
        const double v = slice.precision ? acc.precision(t, r, k, area, max_dets)
                                         : acc.recall(t, k, area, max_dets);
        if (v > -1) values.push_back(v);
      }
    }
  }
  return values.empty() ? -1 : NumpyMean(values);
}

// Everything evaluate() and accumulate() leave behind.
struct Evaluation {
  CocoCells cells;
  std::vector<std::vector<CocoCellMatch>> matches;  // [cell][area range]
  CocoAccumulation accumulation;
};

Evaluation Evaluate(const CocoGroundTruth& ground_truth,
                    const std::vector<CocoDetection>& detections, const CocoEvalParams& params,
                    const CocoEvalOptions& options) {
  CocoCells cells = BuildCocoCells(ground_truth, detections, params.max_detections.back(),
                                   options.honor_ignore_field);
  std::vector<std::vector<CocoCellMatch>> matches(cells.cells.size());
  for (size_t c = 0; c < cells.cells.size(); ++c) {
    matches[c].reserve(params.area_ranges.size());
    for (const CocoAreaRange& range : params.area_ranges) {
      matches[c].push_back(MatchCocoCell(cells.cells[c], params.iou_thresholds, range));
    }
  }
  CocoAccumulation accumulation =
      AccumulateCoco(params, static_cast<int>(cells.categories.size()), cells.cells, matches);
  return {std::move(cells), std::move(matches), std::move(accumulation)};
}

}  // namespace

std::array<double, 12> CocoEvalResult::stats() const {
  return {map, map50, map75, map_small, map_medium, map_large,
          ar1, ar10,  ar100, ar_small,  ar_medium,  ar_large};
}

CocoAccumulation AccumulateBoxes(const CocoGroundTruth& ground_truth,
                                 const std::vector<CocoDetection>& detections,
                                 const CocoEvalParams& params, const CocoEvalOptions& options) {
  return Evaluate(ground_truth, detections, params, options).accumulation;
}

CocoEvalResult EvaluateBoxes(const CocoGroundTruth& ground_truth,
                             const std::vector<CocoDetection>& detections,
                             const CocoEvalOptions& options) {
  const CocoEvalParams params = StandardCocoEvalParams();
  const Evaluation evaluation = Evaluate(ground_truth, detections, params, options);
  const CocoCells& cells = evaluation.cells;
  const std::vector<std::vector<CocoCellMatch>>& matches = evaluation.matches;
  const CocoAccumulation& acc = evaluation.accumulation;

  // _summarizeDets, value by value.
  const int d0 = params.max_detections[0];
  const int d1 = params.max_detections[1];
  const int d2 = params.max_detections[2];
  CocoEvalResult result;
  result.map = Summarize(acc, params, {true, std::nullopt, "all", d2, std::nullopt});
  result.map50 = Summarize(acc, params, {true, 0.5, "all", d2, std::nullopt});
  result.map75 = Summarize(acc, params, {true, 0.75, "all", d2, std::nullopt});
  result.map_small = Summarize(acc, params, {true, std::nullopt, "small", d2, std::nullopt});
  result.map_medium = Summarize(acc, params, {true, std::nullopt, "medium", d2, std::nullopt});
  result.map_large = Summarize(acc, params, {true, std::nullopt, "large", d2, std::nullopt});
  result.ar1 = Summarize(acc, params, {false, std::nullopt, "all", d0, std::nullopt});
  result.ar10 = Summarize(acc, params, {false, std::nullopt, "all", d1, std::nullopt});
  result.ar100 = Summarize(acc, params, {false, std::nullopt, "all", d2, std::nullopt});
  result.ar_small = Summarize(acc, params, {false, std::nullopt, "small", d2, std::nullopt});
  result.ar_medium = Summarize(acc, params, {false, std::nullopt, "medium", d2, std::nullopt});
  result.ar_large = Summarize(acc, params, {false, std::nullopt, "large", d2, std::nullopt});

  result.per_class.resize(cells.categories.size());
  for (size_t k = 0; k < cells.categories.size(); ++k) {
    CocoClassResult& out = result.per_class[k];
    out.category_id = cells.categories[k].id;
    out.name = cells.categories[k].name;
    const int kk = static_cast<int>(k);
    out.ap = Summarize(acc, params, {true, std::nullopt, "all", d2, kk});
    out.ap50 = Summarize(acc, params, {true, 0.5, "all", d2, kk});
  }
  for (size_t c = 0; c < cells.cells.size(); ++c) {
    // Area range 0 is 'all'.
    result.per_class[cells.cells[c].category_index].num_ground_truth +=
        matches[c][0].num_counted_gts;
  }
  result.skipped_detections = cells.skipped_detections;
  return result;
}

}  // namespace labelloop
