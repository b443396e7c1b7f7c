#ifndef LABELLOOP_TRAINER_BATCH_LOADER_H_
#define LABELLOOP_TRAINER_BATCH_LOADER_H_

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "trainer/training_example.h"

namespace labelloop {

// One example of a planned batch: which dataset item, and the seed of its augmentation (fixed by
// the plan, so a batch is the same whichever thread makes it and whenever).
struct PlannedExample {
  size_t index = 0;
  uint64_t seed = 0;
};

// Makes one example (read, decode, augment). Called on loader threads, several at once.
using ExampleSource = std::function<absl::StatusOr<TrainingExample>(const PlannedExample&)>;

struct LoadedBatch {
  size_t position = 0;  // index into the plan
  std::vector<TrainingExample> examples;
  // Examples that could not be made (an unreadable or vanished image): skipped, with the reason.
  std::vector<std::string> errors;
};

// Makes the batches of a plan on background threads while the caller trains on earlier ones,
// and hands them out in plan order. At most `capacity` batches are made ahead of the consumer,
// which bounds memory; Stop() (or destruction) ends the threads promptly, abandoning batches in
// the making between two examples. Next() is for one consumer thread.
class BatchLoader {
 public:
  BatchLoader(std::vector<std::vector<PlannedExample>> plan, ExampleSource source, int threads,
              int capacity);
  ~BatchLoader();
  BatchLoader(const BatchLoader&) = delete;
  BatchLoader& operator=(const BatchLoader&) = delete;

  // The next batch in plan order, waiting for it if needed; nullopt once the plan is exhausted or
  // the loader was stopped.
  std::optional<LoadedBatch> Next();
  void Stop();

  size_t size() const { return plan_.size(); }

 private:
  void Work();

  const std::vector<std::vector<PlannedExample>> plan_;
  const ExampleSource source_;
  const size_t capacity_;

  std::mutex mu_;
  std::condition_variable changed_;
  bool stopping_ = false;
  size_t next_to_make_ = 0;
  size_t next_to_hand_out_ = 0;
  std::map<size_t, LoadedBatch> ready_;
  std::vector<std::thread> threads_;
};

}  // namespace labelloop

#endif  // LABELLOOP_TRAINER_BATCH_LOADER_H_
