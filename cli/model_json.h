#ifndef LABELLOOP_CLI_MODEL_JSON_H_
#define LABELLOOP_CLI_MODEL_JSON_H_

#include <string>

#include "cli/message_json.h"
#include "labelloop/v1/model.pb.h"

namespace labelloop {

// Model versions as the CLI prints them, in message_json's conventions.

// "candidate", "serving", "retired", "rejected" ("unspecified" otherwise).
std::string ModelStatusName(v1::ModelStatus status);

// Metrics keep -1 for "not available" (no validation box of a class), as the daemon sends them.
Json ModelMetricsToJson(const v1::ModelMetrics& metrics);
// `serving`: whether this is the version that serves now (also "serving" in the output).
Json ModelToJson(const v1::Model& model, bool serving);

// The human forms: a table row for `models ls` (serving marked with '*'), and "field: value"
// lines with per-class AP for one model.
std::string ModelTableHeader();
std::string ModelTableRow(const v1::Model& model, bool serving);
std::string ModelDetails(const v1::Model& model, bool serving);

}  // namespace labelloop

#endif  // LABELLOOP_CLI_MODEL_JSON_H_
