#include "trainer/error_analysis.h"

#include <algorithm>
#include <tuple>

namespace labelloop {
namespace {

bool InRange(int64_t label, int num_classes) { return label >= 1 && label <= num_classes; }

struct Pair {
  double iou;
  size_t truth;
  size_t prediction;
};

}  // namespace

double BoxIou(const AnalysisBox& a, const AnalysisBox& b) {
  const double iw = std::min(a.x2, b.x2) - std::max(a.x1, b.x1);
  const double ih = std::min(a.y2, b.y2) - std::max(a.y1, b.y1);
  if (iw <= 0 || ih <= 0) return 0;
  const double inter = iw * ih;
  const double uni = (a.x2 - a.x1) * (a.y2 - a.y1) + (b.x2 - b.x1) * (b.y2 - b.y1) - inter;
  return uni > 0 ? inter / uni : 0;
}

ErrorAnalysis AnalyzeErrors(const std::vector<ValidationImage>& images, int num_classes,
                            const ErrorAnalysisOptions& options) {
  ErrorAnalysis analysis;
  analysis.score_threshold = options.score_threshold;
  analysis.iou_threshold = options.iou_threshold;
  const size_t background = static_cast<size_t>(num_classes);
  analysis.confusion.assign(background + 1, std::vector<int64_t>(background + 1, 0));
  analysis.per_class.assign(background, ClassErrorCounts());
  std::vector<HardImage> scored;

  for (const ValidationImage& image : images) {
    std::vector<const AnalysisBox*> truth;
    std::vector<const AnalysisBox*> predictions;
    for (const AnalysisBox& box : image.truth) {
      if (InRange(box.label, num_classes)) truth.push_back(&box);
    }
    for (const AnalysisBox& box : image.predictions) {
      if (InRange(box.label, num_classes) && box.score >= options.score_threshold) {
        predictions.push_back(&box);
      }
    }
    std::vector<Pair> pairs;
    for (size_t t = 0; t < truth.size(); ++t) {
      for (size_t p = 0; p < predictions.size(); ++p) {
        const double iou = BoxIou(*truth[t], *predictions[p]);
        if (iou >= options.iou_threshold) pairs.push_back({iou, t, p});
      }
    }
    // Highest IoU first; ties by higher score, then index, so the result does not depend on the
    // sort's stability.
    std::sort(pairs.begin(), pairs.end(), [&](const Pair& a, const Pair& b) {
      return std::make_tuple(-a.iou, -predictions[a.prediction]->score, a.truth, a.prediction) <
             std::make_tuple(-b.iou, -predictions[b.prediction]->score, b.truth, b.prediction);
    });
    std::vector<bool> truth_used(truth.size(), false);
    std::vector<bool> prediction_used(predictions.size(), false);
    HardImage row;
    row.image_id = image.image_id;
    for (const Pair& pair : pairs) {
      if (truth_used[pair.truth] || prediction_used[pair.prediction]) continue;
      truth_used[pair.truth] = true;
      prediction_used[pair.prediction] = true;
      const size_t t = static_cast<size_t>(truth[pair.truth]->label - 1);
      const size_t p = static_cast<size_t>(predictions[pair.prediction]->label - 1);
      ++analysis.confusion[t][p];
      if (t == p) {
        ++analysis.per_class[t].true_positives;
        ++row.true_positives;
      } else {
        ++analysis.per_class[p].false_positives;
        ++analysis.per_class[t].misses;
        ++row.false_positives;
        ++row.misses;
      }
    }
    for (size_t t = 0; t < truth.size(); ++t) {
      if (truth_used[t]) continue;
      const size_t c = static_cast<size_t>(truth[t]->label - 1);
      ++analysis.confusion[c][background];
      ++analysis.per_class[c].misses;
      ++row.misses;
    }
    for (size_t p = 0; p < predictions.size(); ++p) {
      if (prediction_used[p]) continue;
      const size_t c = static_cast<size_t>(predictions[p]->label - 1);
      ++analysis.confusion[background][c];
      ++analysis.per_class[c].false_positives;
      ++row.false_positives;
    }
    const int64_t denominator = 2 * row.true_positives + row.false_positives + row.misses;
    row.f1 = denominator == 0
                 ? 1.0
                 : 2.0 * static_cast<double>(row.true_positives) / static_cast<double>(denominator);
    scored.push_back(row);
  }

  // Lowest F1 first; among equals the image with more errors, then the lower id.
  std::sort(scored.begin(), scored.end(), [](const HardImage& a, const HardImage& b) {
    return std::make_tuple(a.f1, -(a.false_positives + a.misses), a.image_id) <
           std::make_tuple(b.f1, -(b.false_positives + b.misses), b.image_id);
  });
  for (const HardImage& image : scored) {
    if (static_cast<int>(analysis.hardest.size()) >= options.max_hard_images) break;
    if (image.f1 >= 1.0) break;  // a perfect image is not hard
    analysis.hardest.push_back(image);
  }
  return analysis;
}

}  // namespace labelloop
