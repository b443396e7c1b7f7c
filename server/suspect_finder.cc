#include "server/suspect_finder.h"

#include <algorithm>

#include "absl/strings/str_format.h"

namespace labelloop {
namespace {

bool Empty(const v1::Box& box) { return box.x2() <= box.x1() || box.y2() <= box.y1(); }

}  // namespace

float BoxIou(const v1::Box& a, const v1::Box& b) {
  const float w = std::min(a.x2(), b.x2()) - std::max(a.x1(), b.x1());
  const float h = std::min(a.y2(), b.y2()) - std::max(a.y1(), b.y1());
  if (w <= 0 || h <= 0) return 0;
  const float inter = w * h;
  const float area_a = (a.x2() - a.x1()) * (a.y2() - a.y1());
  const float area_b = (b.x2() - b.x1()) * (b.y2() - b.y1());
  return inter / (area_a + area_b - inter);
}

std::vector<SuspectFinding> FindSuspects(const std::vector<v1::Box>& label_boxes,
                                         const std::vector<v1::Box>& predictions,
                                         const v1::SuspectConfig& config) {
  std::vector<v1::Box> preds;
  for (const v1::Box& p : predictions) {
    if (p.score() >= config.support_score()) preds.push_back(p);
  }
  std::stable_sort(preds.begin(), preds.end(),
                   [](const v1::Box& a, const v1::Box& b) { return a.score() > b.score(); });
  const float top_score = preds.empty() ? 0.0f : preds.front().score();

  std::vector<SuspectFinding> findings;
  std::vector<bool> claimed(label_boxes.size(), false);
  for (const v1::Box& p : preds) {
    if (p.score() < config.min_score()) break;
    int best = -1, best_same = -1;
    float best_iou = 0, best_same_iou = 0, best_claimed_iou = 0;
    for (size_t j = 0; j < label_boxes.size(); ++j) {
      const float iou = BoxIou(p, label_boxes[j]);
      if (claimed[j]) {
        best_claimed_iou = std::max(best_claimed_iou, iou);
        continue;
      }
      if (iou > best_iou) best_iou = iou, best = static_cast<int>(j);
      if (label_boxes[j].class_name() == p.class_name() && iou > best_same_iou) {
        best_same_iou = iou, best_same = static_cast<int>(j);
      }
    }
    SuspectFinding f;
    f.prediction = p;
    if (best_same >= 0 && best_same_iou >= config.match_iou()) {
      claimed[best_same] = true;
      if (best_same_iou >= config.fit_iou()) continue;  // Agrees.
      f.kind = v1::SUSPECT_KIND_POOR_FIT;
      f.label_box_index = best_same;
      f.iou = best_same_iou;
      f.suspicion = p.score() * (1 - best_same_iou / config.fit_iou());
      f.reason = absl::StrFormat(
          "the model (score %.2f) puts this %s box elsewhere: IoU %.2f with the labeled one "
          "(below %.2f)",
          p.score(), p.class_name(), best_same_iou, config.fit_iou());
    } else if (best >= 0 && best_iou >= config.match_iou()) {
      claimed[best] = true;
      f.kind = v1::SUSPECT_KIND_CLASS_MISMATCH;
      f.label_box_index = best;
      f.iou = best_iou;
      f.suspicion = p.score();
      f.reason =
          absl::StrFormat("labeled %s, the model says %s (score %.2f, IoU %.2f)",
                          label_boxes[best].class_name(), p.class_name(), p.score(), best_iou);
    } else if (best_claimed_iou >= config.match_iou()) {
      continue;  // A second prediction of an object already matched.
    } else {
      f.kind = v1::SUSPECT_KIND_MISSING_BOX;
      f.iou = best_iou;
      f.suspicion = p.score();
      f.reason = absl::StrFormat(
          "the model finds a %s (score %.2f) that no labeled box covers (best IoU %.2f)",
          p.class_name(), p.score(), best_iou);
    }
    if (f.label_box_index >= 0) f.label_box = label_boxes[f.label_box_index];
    findings.push_back(std::move(f));
  }

  for (size_t j = 0; j < label_boxes.size(); ++j) {
    if (claimed[j]) continue;
    const v1::Box& box = label_boxes[j];
    bool supported = false;
    float best_overlap_score = 0, best_iou = 0;
    v1::Box nearest;
    for (const v1::Box& p : preds) {
      if (p.class_name() != box.class_name()) continue;
      const float iou = BoxIou(p, box);
      if (iou >= config.match_iou()) supported = true;
      if (iou > 0 && p.score() > best_overlap_score) {
        best_overlap_score = p.score();
        best_iou = iou;
        nearest = p;
      }
    }
    if (supported) continue;
    SuspectFinding f;
    f.kind = v1::SUSPECT_KIND_SPURIOUS_BOX;
    f.label_box_index = static_cast<int>(j);
    f.label_box = box;
    if (!Empty(nearest)) f.prediction = nearest;
    f.iou = best_iou;
    f.suspicion = top_score * (1 - best_overlap_score);
    f.reason = absl::StrFormat(
        "no prediction of %s (score >= %.2f) overlaps this box at IoU >= %.2f, while the model "
        "finds objects in the image (best score %.2f)",
        box.class_name(), config.support_score(), config.match_iou(), top_score);
    findings.push_back(std::move(f));
  }

  findings.erase(std::remove_if(findings.begin(), findings.end(),
                                [](const SuspectFinding& f) { return f.suspicion <= 0; }),
                 findings.end());
  std::stable_sort(
      findings.begin(), findings.end(),
      [](const SuspectFinding& a, const SuspectFinding& b) { return a.suspicion > b.suspicion; });
  if (findings.size() > static_cast<size_t>(config.max_per_image())) {
    findings.resize(static_cast<size_t>(config.max_per_image()));
  }
  return findings;
}

bool SameFinding(const SuspectFinding& finding, const v1::Suspect& reviewed) {
  if (finding.kind != reviewed.kind()) return false;
  if (finding.kind != v1::SUSPECT_KIND_MISSING_BOX) {
    return finding.label_box_index == reviewed.label_box_index();
  }
  return finding.prediction.class_name() == reviewed.prediction().class_name() &&
         BoxIou(finding.prediction, reviewed.prediction()) >= 0.5f;
}

}  // namespace labelloop
