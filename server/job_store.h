#ifndef LABELLOOP_SERVER_JOB_STORE_H_
#define LABELLOOP_SERVER_JOB_STORE_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "common/store.h"
#include "labelloop/v1/training.pb.h"

namespace labelloop {

// Training job records in the store's `jobs` table: each row keeps the whole Job message, so a
// job's history (trigger, progress at the end, error, result) survives restarts.
class JobStore {
 public:
  explicit JobStore(Store* store) : store_(store) {}

  // Inserts a new job and returns it with its id.
  absl::StatusOr<v1::Job> Create(v1::Job job);
  absl::Status Update(const v1::Job& job);
  absl::StatusOr<v1::Job> Get(int64_t job_id);
  // Newest first.
  absl::StatusOr<std::vector<v1::Job>> List(int limit);
  // Jobs in the given state, oldest first.
  absl::StatusOr<std::vector<v1::Job>> InState(v1::JobState state);

 private:
  Store* const store_;
};

}  // namespace labelloop

#endif  // LABELLOOP_SERVER_JOB_STORE_H_
