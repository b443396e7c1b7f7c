#include "sampler/tta_consistency.h"

#include <algorithm>
#include <cmath>
#include <tuple>

#include "sampler/uncertainty.h"

namespace labelloop {
namespace {

std::vector<ScoredDetection> AboveScore(absl::Span<const ScoredDetection> detections,
                                        double min_score) {
  std::vector<ScoredDetection> kept;
  for (const ScoredDetection& d : detections) {
    if (d.score >= min_score) kept.push_back(d);
  }
  return kept;
}

double ClassDisagreement(const ScoredDetection& a, const ScoredDetection& b) {
  if (!a.class_probs.empty() && a.class_probs.size() == b.class_probs.size()) {
    return NormalizedJensenShannon(ExclusiveClassDistribution(a.class_probs),
                                   ExclusiveClassDistribution(b.class_probs));
  }
  return a.label == b.label ? 0.0 : 1.0;
}

}  // namespace

double BoxIou(const BoxXyxy& a, const BoxXyxy& b) {
  const double iw = std::max(0.0, double{std::min(a.x2, b.x2)} - std::max(a.x1, b.x1));
  const double ih = std::max(0.0, double{std::min(a.y2, b.y2)} - std::max(a.y1, b.y1));
  const double inter = iw * ih;
  const double area_a = double{a.x2 - a.x1} * (a.y2 - a.y1);
  const double area_b = double{b.x2 - b.x1} * (b.y2 - b.y1);
  const double uni = area_a + area_b - inter;
  return uni > 0 ? inter / uni : 0.0;
}

std::vector<ScoredDetection> UnflipHorizontal(std::vector<ScoredDetection> detections,
                                              float image_width) {
  for (ScoredDetection& d : detections) {
    const float x1 = image_width - d.box.x2;
    const float x2 = image_width - d.box.x1;
    d.box.x1 = x1;
    d.box.x2 = x2;
  }
  return detections;
}

std::vector<ScoredDetection> Unscale(std::vector<ScoredDetection> detections, float scale_x,
                                     float scale_y) {
  for (ScoredDetection& d : detections) {
    d.box.x1 /= scale_x;
    d.box.x2 /= scale_x;
    d.box.y1 /= scale_y;
    d.box.y2 /= scale_y;
  }
  return detections;
}

std::vector<BoxMatch> MatchBoxesGreedy(absl::Span<const ScoredDetection> original,
                                       absl::Span<const ScoredDetection> view, double min_iou) {
  std::vector<BoxMatch> pairs;
  for (size_t i = 0; i < original.size(); ++i) {
    for (size_t j = 0; j < view.size(); ++j) {
      const double iou = BoxIou(original[i].box, view[j].box);
      if (iou >= min_iou && iou > 0) {
        pairs.push_back(BoxMatch{static_cast<int>(i), static_cast<int>(j), iou});
      }
    }
  }
  std::sort(pairs.begin(), pairs.end(), [](const BoxMatch& a, const BoxMatch& b) {
    return std::make_tuple(-a.iou, a.original, a.view) <
           std::make_tuple(-b.iou, b.original, b.view);
  });
  std::vector<bool> used_original(original.size()), used_view(view.size());
  std::vector<BoxMatch> matches;
  for (const BoxMatch& m : pairs) {
    if (used_original[m.original] || used_view[m.view]) continue;
    used_original[m.original] = used_view[m.view] = true;
    matches.push_back(m);
  }
  return matches;
}

double NormalizedJensenShannon(absl::Span<const double> p, absl::Span<const double> q) {
  double js = 0;
  for (size_t i = 0; i < p.size() && i < q.size(); ++i) {
    const double m = 0.5 * (p[i] + q[i]);
    if (p[i] > 0) js += 0.5 * p[i] * std::log(p[i] / m);
    if (q[i] > 0) js += 0.5 * q[i] * std::log(q[i] / m);
  }
  return std::min(1.0, std::max(0.0, js / std::log(2.0)));
}

ViewConsistency CompareViews(absl::Span<const ScoredDetection> original_all,
                             absl::Span<const ScoredDetection> view_all,
                             const TtaOptions& options) {
  const std::vector<ScoredDetection> original =
      AboveScore(original_all, options.min_detection_score);
  const std::vector<ScoredDetection> view = AboveScore(view_all, options.min_detection_score);
  const std::vector<BoxMatch> matches = MatchBoxesGreedy(original, view, options.match_iou);

  double weight = 0, box = 0, cls = 0;
  std::vector<bool> matched_original(original.size()), matched_view(view.size());
  for (const BoxMatch& m : matches) {
    const ScoredDetection& a = original[m.original];
    const ScoredDetection& b = view[m.view];
    const double w = std::max(a.score, b.score);
    weight += w;
    box += w * (1.0 - m.iou);
    cls += w * ClassDisagreement(a, b);
    matched_original[m.original] = matched_view[m.view] = true;
  }
  ViewConsistency result;
  result.matched = static_cast<int>(matches.size());
  auto add_unmatched = [&](const std::vector<ScoredDetection>& dets,
                           const std::vector<bool>& matched, int& count) {
    for (size_t i = 0; i < dets.size(); ++i) {
      if (matched[i]) continue;
      ++count;
      weight += dets[i].score;
      box += dets[i].score;
      cls += dets[i].score;
    }
  };
  add_unmatched(original, matched_original, result.unmatched_original);
  add_unmatched(view, matched_view, result.unmatched_view);
  if (weight > 0) {
    result.box_disagreement = std::min(1.0, box / weight);
    result.class_disagreement = std::min(1.0, cls / weight);
  }
  result.score = options.box_weight * result.box_disagreement +
                 (1.0 - options.box_weight) * result.class_disagreement;
  return result;
}

TtaConsistency ScoreTtaConsistency(absl::Span<const ScoredDetection> original,
                                   const std::vector<std::vector<ScoredDetection>>& views,
                                   const TtaOptions& options) {
  TtaConsistency result;
  for (const auto& view : views) {
    result.views.push_back(CompareViews(original, view, options));
    result.score += result.views.back().score;
    result.box_disagreement += result.views.back().box_disagreement;
    result.class_disagreement += result.views.back().class_disagreement;
  }
  if (!views.empty()) {
    const double n = static_cast<double>(views.size());
    result.score /= n;
    result.box_disagreement /= n;
    result.class_disagreement /= n;
  }
  return result;
}

}  // namespace labelloop
