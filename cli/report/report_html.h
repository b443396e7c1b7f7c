#ifndef LABELLOOP_CLI_REPORT_REPORT_HTML_H_
#define LABELLOOP_CLI_REPORT_REPORT_HTML_H_

#include <cstdint>
#include <map>
#include <string>

#include "labelloop/v1/model.pb.h"

namespace labelloop {

struct ReportInput {
  v1::ListModelsResponse models;
  // Hardest images' pictures: image id -> path relative to the page (missing: no picture).
  std::map<int64_t, std::string> thumbnails;
  // Shown in the page's header.
  std::string server;
  std::string generated_at;
};

// The version whose details the report shows: the serving one, else the newest; nullptr when
// there is none.
const v1::Model* ReportedModel(const v1::ListModelsResponse& models);

// One self-contained HTML page (inline CSS and SVG, no script, nothing fetched): a learning curve
// across versions (mAP and mAP50 against training labels), and for the reported version per-class
// AP bars, the confusion matrix, false positives and misses per class, the hardest validation
// images and the auto-labeling threshold.
std::string ReportHtml(const ReportInput& input);

}  // namespace labelloop

#endif  // LABELLOOP_CLI_REPORT_REPORT_HTML_H_
