#include "trainer/batch_loader.h"

#include <algorithm>
#include <exception>
#include <utility>

#include "absl/strings/str_cat.h"

namespace labelloop {

BatchLoader::BatchLoader(std::vector<std::vector<PlannedExample>> plan, ExampleSource source,
                         int threads, int capacity)
    : plan_(std::move(plan)),
      source_(std::move(source)),
      capacity_(static_cast<size_t>(std::max(1, capacity))) {
  const int count = std::max(1, threads);
  threads_.reserve(count);
  for (int i = 0; i < count; ++i) threads_.emplace_back([this] { Work(); });
}

BatchLoader::~BatchLoader() {
  Stop();
  for (std::thread& thread : threads_) thread.join();
}

void BatchLoader::Stop() {
  std::lock_guard<std::mutex> lock(mu_);
  stopping_ = true;
  changed_.notify_all();
}

std::optional<LoadedBatch> BatchLoader::Next() {
  std::unique_lock<std::mutex> lock(mu_);
  if (next_to_hand_out_ >= plan_.size()) return std::nullopt;
  changed_.wait(lock, [&] { return stopping_ || ready_.count(next_to_hand_out_) > 0; });
  if (stopping_) return std::nullopt;
  auto it = ready_.find(next_to_hand_out_);
  LoadedBatch batch = std::move(it->second);
  ready_.erase(it);
  ++next_to_hand_out_;
  // A slot in the window ahead of the consumer opened.
  changed_.notify_all();
  return batch;
}

void BatchLoader::Work() {
  while (true) {
    size_t position = 0;
    {
      std::unique_lock<std::mutex> lock(mu_);
      changed_.wait(lock, [&] {
        return stopping_ || next_to_make_ >= plan_.size() ||
               next_to_make_ < next_to_hand_out_ + capacity_;
      });
      if (stopping_ || next_to_make_ >= plan_.size()) return;
      position = next_to_make_++;
    }
    LoadedBatch batch;
    batch.position = position;
    for (const PlannedExample& planned : plan_[position]) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (stopping_) return;
      }
      // The source may throw (OpenCV and torch report errors that way); a bad example must
      // not take the loader thread, and with it the whole job, down.
      try {
        absl::StatusOr<TrainingExample> example = source_(planned);
        if (example.ok()) {
          batch.examples.push_back(*std::move(example));
        } else {
          batch.errors.push_back(std::string(example.status().message()));
        }
      } catch (const std::exception& e) {
        batch.errors.push_back(absl::StrCat("example ", planned.index, ": ", e.what()));
      }
    }
    std::lock_guard<std::mutex> lock(mu_);
    ready_.emplace(position, std::move(batch));
    changed_.notify_all();
  }
}

}  // namespace labelloop
