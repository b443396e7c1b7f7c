#ifndef LABELLOOP_TRAINER_ERROR_ANALYSIS_JSON_H_
#define LABELLOOP_TRAINER_ERROR_ANALYSIS_JSON_H_

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "labelloop/v1/model.pb.h"
#include "trainer/error_analysis.h"
#include "trainer/threshold_calibration.h"

namespace labelloop {

// The error analysis and calibration in a version's metadata.json. Reading is lenient like the
// rest of the metadata: missing fields take their defaults, so versions written before the
// analysis existed read as having none.
nlohmann::json ErrorAnalysisToJson(const ErrorAnalysis& analysis);
ErrorAnalysis ErrorAnalysisFromJson(const nlohmann::json& j);
nlohmann::json CalibrationToJson(const CalibratedThreshold& calibration);
CalibratedThreshold CalibrationFromJson(const nlohmann::json& j);

// Fills the API's confusion matrix, hardest images, per-class error counts (per_class must
// already list the classes in detector order) and calibration. Leaves the analysis fields
// unset when the analysis is empty.
void AddErrorAnalysisToProto(const ErrorAnalysis& analysis, const CalibratedThreshold& calibration,
                             const std::vector<std::string>& class_names,
                             v1::ModelMetrics* metrics);

}  // namespace labelloop

#endif  // LABELLOOP_TRAINER_ERROR_ANALYSIS_JSON_H_
