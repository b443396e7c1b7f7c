#ifndef LABELLOOP_CLI_JOB_JSON_H_
#define LABELLOOP_CLI_JOB_JSON_H_

#include <string>

#include "cli/message_json.h"
#include "labelloop/v1/training.pb.h"

namespace labelloop {

// Training jobs as the CLI prints them, in message_json's conventions (snake_case, lowercase
// states, times as unix milliseconds).

// "queued", "running", "succeeded", "failed", "cancelled" ("unspecified" otherwise).
std::string JobStateName(v1::JobState state);
// SUCCEEDED, FAILED or CANCELLED: nothing more will happen to the job.
bool IsFinalJobState(v1::JobState state);

Json JobProgressToJson(const v1::JobProgress& progress);
Json JobToJson(const v1::Job& job);

// The human forms: one table row for `jobs ls` (under JobTableHeader()), and "field: value"
// lines for one job.
std::string JobTableHeader();
std::string JobTableRow(const v1::Job& job);
std::string JobDetails(const v1::Job& job);

}  // namespace labelloop

#endif  // LABELLOOP_CLI_JOB_JSON_H_
