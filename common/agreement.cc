#include "common/agreement.h"

#include <algorithm>
#include <tuple>

namespace labelloop {

double BoxIou(const ValidBox& a, const ValidBox& b) {
  double iw = std::min(a.x2, b.x2) - std::max(a.x1, b.x1);
  double ih = std::min(a.y2, b.y2) - std::max(a.y1, b.y1);
  if (iw <= 0 || ih <= 0) return 0.0;
  double inter = iw * ih;
  double area_a = static_cast<double>(a.x2 - a.x1) * (a.y2 - a.y1);
  double area_b = static_cast<double>(b.x2 - b.x1) * (b.y2 - b.y1);
  double uni = area_a + area_b - inter;
  return uni > 0 ? inter / uni : 0.0;
}

int MatchBoxes(const std::vector<ValidBox>& a, const std::vector<ValidBox>& b, double match_iou) {
  // (iou, i, j) of every same-class pair over the threshold, best first; ties by index so the
  // result does not depend on the sort's stability.
  std::vector<std::tuple<double, size_t, size_t>> candidates;
  for (size_t i = 0; i < a.size(); ++i) {
    for (size_t j = 0; j < b.size(); ++j) {
      if (a[i].class_id != b[j].class_id) continue;
      double iou = BoxIou(a[i], b[j]);
      if (iou >= match_iou && iou > 0) candidates.emplace_back(iou, i, j);
    }
  }
  std::sort(candidates.begin(), candidates.end(), [](const auto& x, const auto& y) {
    if (std::get<0>(x) != std::get<0>(y)) return std::get<0>(x) > std::get<0>(y);
    return std::make_pair(std::get<1>(x), std::get<2>(x)) <
           std::make_pair(std::get<1>(y), std::get<2>(y));
  });
  std::vector<bool> used_a(a.size(), false);
  std::vector<bool> used_b(b.size(), false);
  int matched = 0;
  for (const auto& [iou, i, j] : candidates) {
    if (used_a[i] || used_b[j]) continue;
    used_a[i] = true;
    used_b[j] = true;
    ++matched;
  }
  return matched;
}

double PairAgreement(const std::vector<ValidBox>& a, const std::vector<ValidBox>& b,
                     double match_iou) {
  if (a.empty() && b.empty()) return 1.0;
  int matched = MatchBoxes(a, b, match_iou);
  double union_boxes = static_cast<double>(a.size() + b.size()) - matched;
  return matched / union_boxes;
}

ImageAgreement ComputeAgreement(const std::vector<std::vector<ValidBox>>& labels,
                                double match_iou) {
  ImageAgreement result;
  const size_t k = labels.size();
  result.per_label.assign(k, 1.0);
  if (k < 2) return result;
  std::vector<double> sums(k, 0.0);
  double total = 0.0;
  int pairs = 0;
  for (size_t i = 0; i < k; ++i) {
    for (size_t j = i + 1; j < k; ++j) {
      double agreement = PairAgreement(labels[i], labels[j], match_iou);
      sums[i] += agreement;
      sums[j] += agreement;
      total += agreement;
      ++pairs;
    }
  }
  result.agreement = total / pairs;
  for (size_t i = 0; i < k; ++i) result.per_label[i] = sums[i] / static_cast<double>(k - 1);
  return result;
}

}  // namespace labelloop
