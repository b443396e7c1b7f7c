#ifndef LABELLOOP_BENCHMARKS_QUEUE_LOAD_ANNOTATOR_LOAD_H_
#define LABELLOOP_BENCHMARKS_QUEUE_LOAD_ANNOTATOR_LOAD_H_

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace labelloop {

struct AnnotatorLoadOptions {
  std::string address;
  int annotators = 64;
  // Annotators share this many connections (each its own channel), round robin.
  int channels = 8;
  int batch = 32;
  int lease_seconds = 600;
  // Calls in the warm-up are made but not measured (connections, caches, allocator).
  double warmup_seconds = 2.0;
  double seconds = 30.0;
  // Offered load in labels per second, shared evenly by the annotators; 0 = closed loop (each
  // annotator sends its next call as soon as the last one returns, which saturates whatever is
  // slowest and so measures capacity, not latency). With a rate, each annotator labels on a
  // fixed schedule (one image every annotators / rate seconds, phases spread over the
  // first batch of periods so batch fetches do not bunch up) and fetches its next batch half a
  // period before the batch's first label is due, as a labeling tool prefetching would. Latency is
  // then measured from the *scheduled* send time, so a daemon that falls behind is charged for the
  // backlog (no coordinated omission).
  double labels_per_second = 0.0;
  // Boxes are drawn from these class names.
  std::vector<std::string> classes;
  // The measured window is cut into intervals this long for the throughput timeline.
  double interval_seconds = 5.0;
  // Called as the measured window opens and closes (optional), for CPU accounting.
  std::function<void()> on_window_start;
  std::function<void()> on_window_end;
};

struct AnnotatorLoadResult {
  // Latencies (ns, client side) of calls that started inside the measured window.
  std::vector<int64_t> next_batch_ns;
  std::vector<int64_t> submit_ns;
  // Labels acknowledged (OK) over the whole run, warm-up included: what the store must hold.
  int64_t labels_acked_total = 0;
  // Within the measured window.
  int64_t labels_acked = 0;
  int64_t batches = 0;
  int64_t items_handed_out = 0;
  // GetNextBatch answers with fewer items than asked (the pool ran dry).
  int64_t short_batches = 0;
  double window_seconds = 0.0;
  // Paced runs: calls sent later than scheduled by more than 1 ms (the generator or the daemon
  // fell behind), and the worst lag; both 0 for a closed loop.
  int64_t late_sends = 0;
  int64_t max_lag_ns = 0;
  // Labels acknowledged per second in each interval of the window, in order: a falling line
  // means some per-label cost grows with the labels already stored.
  std::vector<double> labels_per_second_timeline;
  // Failed calls by gRPC status code, whole run, with the first message of each code.
  std::map<int, int64_t> errors;
  std::map<int, std::string> first_error;
};

// Runs `annotators` threads, each looping GetNextBatch(batch) and one SubmitLabels per item
// (1-3 valid boxes of a known class) until the window ends, as fast as they can or on the
// schedule `labels_per_second` sets. Blocking stubs: one call in flight per annotator, as a
// person with a labeling tool has.
AnnotatorLoadResult RunAnnotatorLoad(const AnnotatorLoadOptions& options);

}  // namespace labelloop

#endif  // LABELLOOP_BENCHMARKS_QUEUE_LOAD_ANNOTATOR_LOAD_H_
