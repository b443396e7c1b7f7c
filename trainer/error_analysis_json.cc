#include "trainer/error_analysis_json.h"

#include <cstdint>

namespace labelloop {

using nlohmann::json;

json ErrorAnalysisToJson(const ErrorAnalysis& analysis) {
  json per_class = json::array();
  for (const ClassErrorCounts& c : analysis.per_class) {
    per_class.push_back({{"true_positives", c.true_positives},
                         {"false_positives", c.false_positives},
                         {"misses", c.misses}});
  }
  json hardest = json::array();
  for (const HardImage& h : analysis.hardest) {
    hardest.push_back({{"image_id", h.image_id},
                       {"f1", h.f1},
                       {"true_positives", h.true_positives},
                       {"false_positives", h.false_positives},
                       {"misses", h.misses}});
  }
  return {{"score_threshold", analysis.score_threshold},
          {"iou_threshold", analysis.iou_threshold},
          {"confusion", analysis.confusion},
          {"per_class", per_class},
          {"hardest", hardest}};
}

ErrorAnalysis ErrorAnalysisFromJson(const json& j) {
  ErrorAnalysis analysis;
  analysis.score_threshold = j.value("score_threshold", 0.0);
  analysis.iou_threshold = j.value("iou_threshold", 0.0);
  if (j.contains("confusion")) {
    analysis.confusion = j.at("confusion").get<std::vector<std::vector<int64_t>>>();
  }
  if (j.contains("per_class")) {
    for (const json& c : j.at("per_class")) {
      analysis.per_class.push_back({c.value("true_positives", int64_t{0}),
                                    c.value("false_positives", int64_t{0}),
                                    c.value("misses", int64_t{0})});
    }
  }
  if (j.contains("hardest")) {
    for (const json& h : j.at("hardest")) {
      analysis.hardest.push_back({h.value("image_id", int64_t{0}), h.value("f1", 0.0),
                                  h.value("true_positives", int64_t{0}),
                                  h.value("false_positives", int64_t{0}),
                                  h.value("misses", int64_t{0})});
    }
  }
  return analysis;
}

json CalibrationToJson(const CalibratedThreshold& c) {
  return {{"found", c.found},
          {"target_precision", c.target_precision},
          {"threshold", c.threshold},
          {"precision", c.precision},
          {"support", c.support},
          {"recall", c.recall},
          {"predictions", c.predictions},
          {"reason", c.reason}};
}

CalibratedThreshold CalibrationFromJson(const json& j) {
  CalibratedThreshold c;
  c.found = j.value("found", false);
  c.target_precision = j.value("target_precision", 0.0);
  c.threshold = j.value("threshold", 0.0);
  c.precision = j.value("precision", 0.0);
  c.support = j.value("support", int64_t{0});
  c.recall = j.value("recall", 0.0);
  c.predictions = j.value("predictions", int64_t{0});
  c.reason = j.value("reason", std::string());
  return c;
}

void AddErrorAnalysisToProto(const ErrorAnalysis& analysis, const CalibratedThreshold& calibration,
                             const std::vector<std::string>& class_names,
                             v1::ModelMetrics* metrics) {
  if (analysis.empty()) return;
  v1::ConfusionMatrix* confusion = metrics->mutable_confusion();
  const size_t size = analysis.confusion.size();
  for (size_t k = 0; k + 1 < size; ++k) {
    confusion->add_labels(k < class_names.size() ? class_names[k]
                                                 : "class " + std::to_string(k + 1));
  }
  confusion->add_labels("background");
  for (const std::vector<int64_t>& row : analysis.confusion) {
    for (size_t c = 0; c < size; ++c) confusion->add_counts(c < row.size() ? row[c] : 0);
  }
  confusion->set_score_threshold(analysis.score_threshold);
  confusion->set_iou_threshold(analysis.iou_threshold);
  for (size_t k = 0;
       k < analysis.per_class.size() && static_cast<int>(k) < metrics->per_class_size(); ++k) {
    v1::ClassMetrics* c = metrics->mutable_per_class(static_cast<int>(k));
    c->set_true_positives(analysis.per_class[k].true_positives);
    c->set_false_positives(analysis.per_class[k].false_positives);
    c->set_misses(analysis.per_class[k].misses);
  }
  for (const HardImage& h : analysis.hardest) {
    v1::HardImage* out = metrics->add_hardest_images();
    out->set_image_id(h.image_id);
    out->set_f1(h.f1);
    out->set_true_positives(h.true_positives);
    out->set_false_positives(h.false_positives);
    out->set_misses(h.misses);
  }
  v1::AutoLabelCalibration* autolabel = metrics->mutable_autolabel();
  autolabel->set_found(calibration.found);
  autolabel->set_threshold(calibration.threshold);
  autolabel->set_precision(calibration.precision);
  autolabel->set_support(calibration.support);
  autolabel->set_recall(calibration.recall);
  autolabel->set_target_precision(calibration.target_precision);
  autolabel->set_predictions(calibration.predictions);
  autolabel->set_reason(calibration.reason);
}

}  // namespace labelloop
