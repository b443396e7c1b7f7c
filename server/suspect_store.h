#ifndef LABELLOOP_SERVER_SUSPECT_STORE_H_
#define LABELLOOP_SERVER_SUSPECT_STORE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/store.h"
#include "labelloop/v1/suspects.pb.h"
#include "server/suspect_finder.h"

namespace labelloop {

// What one scan found on one label version.
struct LabelFindings {
  int64_t image_id = 0;
  int64_t label_id = 0;
  std::vector<SuspectFinding> findings;
};

// The suspects table (schema 5). Replaces the open suspects of each label by what
// `model_version` found, leaving out findings a person already reviewed on that label version
// (SameFinding). One transaction.
absl::Status StoreSuspects(Store* store, const std::string& model_version,
                           const std::vector<LabelFindings>& labels, int64_t now_ms);

// Suspects of the latest label version of each image, most suspicious first. Status
// UNSPECIFIED means open; limit 0 means 100; INVALID_ARGUMENT beyond 10000.
absl::StatusOr<std::vector<v1::Suspect>> ListSuspects(Store* store,
                                                      const v1::ListSuspectLabelsRequest& request);

// Marks a suspect DISMISSED or FIXED (INVALID_ARGUMENT otherwise; NOT_FOUND for an unknown id).
absl::StatusOr<v1::Suspect> ReviewSuspect(Store* store, int64_t suspect_id,
                                          v1::SuspectStatus status, const std::string& reviewer,
                                          int64_t now_ms);

}  // namespace labelloop

#endif  // LABELLOOP_SERVER_SUSPECT_STORE_H_
