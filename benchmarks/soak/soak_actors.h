#ifndef LABELLOOP_BENCHMARKS_SOAK_SOAK_ACTORS_H_
#define LABELLOOP_BENCHMARKS_SOAK_SOAK_ACTORS_H_

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "benchmarks/soak/rpc_recorder.h"
#include "labelloop/v1/types.pb.h"

namespace labelloop {

// What every simulated user of a soak run shares.
struct SoakShared {
  RpcRecorder* recorder = nullptr;
  const std::atomic<bool>* stop = nullptr;
  // The boxes a careful annotator draws on each image, by image id.
  const std::unordered_map<int64_t, std::vector<v1::Box>>* truth = nullptr;
  // Notable moments (rounds ending, the reviewer falling back to reading), for the report.
  std::mutex* events_mu = nullptr;
  std::vector<std::string>* events = nullptr;
  std::chrono::steady_clock::time_point started;

  void Event(const std::string& what) const;
};

struct AnnotatorOptions {
  int batch = 4;
  // A person's time per image, drawn uniformly from [think_ms / 2, 3 * think_ms / 2].
  int think_ms = 2000;
  int lease_seconds = 300;
};

// Loops GetNextBatch, then per item: thinks, submits the image's true boxes jittered by a pixel
// or two (as a person correcting pre-labels draws them).
void RunAnnotator(int index, std::shared_ptr<grpc::Channel> channel,
                  const AnnotatorOptions& options, const SoakShared& shared);

// Reviews pending labels (GetNextReview, then AcceptLabel, or RejectLabel for one in ten) with
// `think_ms` per label. Where the daemon has no ReviewService (UNIMPLEMENTED) it reads instead:
// ListImages and ListJobs once a second, as a dashboard would.
void RunReviewer(std::shared_ptr<grpc::Channel> channel, int think_ms, const SoakShared& shared);

// Starts a training round every `every_seconds` (or as soon as the last one ended, if it took
// longer), polls it to its end, and records how it went; a promotion re-scores the pool.
void RunRounds(std::shared_ptr<grpc::Channel> channel, int every_seconds, const SoakShared& shared);

}  // namespace labelloop

#endif  // LABELLOOP_BENCHMARKS_SOAK_SOAK_ACTORS_H_
