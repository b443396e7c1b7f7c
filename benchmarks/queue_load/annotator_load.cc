#include "benchmarks/queue_load/annotator_load.h"

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <random>
#include <thread>

#include "absl/strings/str_format.h"
#include "benchmarks/queue_load/daemon_process.h"
#include "labelloop/v1/queue.grpc.pb.h"

namespace labelloop {
namespace {

using Clock = std::chrono::steady_clock;

// One annotator's counts; merged after the threads end so the hot loop shares nothing.
struct Tally {
  std::vector<int64_t> next_batch_ns;
  std::vector<int64_t> submit_ns;
  int64_t labels_acked_total = 0;
  int64_t labels_acked = 0;
  int64_t batches = 0;
  int64_t items = 0;
  int64_t short_batches = 0;
  int64_t late_sends = 0;
  int64_t max_lag_ns = 0;
  std::map<int, int64_t> errors;
  std::map<int, std::string> first_error;

  void Error(const grpc::Status& status) {
    const int code = static_cast<int>(status.error_code());
    if (errors[code]++ == 0) first_error[code] = status.error_message();
  }
};

struct Window {
  Clock::time_point start;
  Clock::time_point measure_from;
  Clock::time_point end;
  // Every acknowledged label, for the timeline; relaxed, a few thousand increments a second.
  std::atomic<int64_t>* acked = nullptr;
};

int64_t Nanos(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(to - from).count();
}

// 1-3 boxes inside the image, as a person correcting pre-labels would send.
void AddBoxes(const v1::QueueItem& item, const std::vector<std::string>& classes,
              std::mt19937_64& rng, v1::SubmitLabelsRequest* request) {
  const float width = static_cast<float>(item.width() > 0 ? item.width() : 640);
  const float height = static_cast<float>(item.height() > 0 ? item.height() : 480);
  std::uniform_real_distribution<float> unit(0.0f, 1.0f);
  const int boxes = 1 + static_cast<int>(rng() % 3);
  for (int b = 0; b < boxes; ++b) {
    v1::Box* box = request->add_boxes();
    const float w = width * (0.05f + 0.3f * unit(rng));
    const float h = height * (0.05f + 0.3f * unit(rng));
    box->set_x1(unit(rng) * (width - w));
    box->set_y1(unit(rng) * (height - h));
    box->set_x2(box->x1() + w);
    box->set_y2(box->y1() + h);
    box->set_class_name(classes[rng() % classes.size()]);
  }
}

// When a paced annotator's calls are due: label j at first + j * period. A closed loop's
// schedule is always "now", so latency there is measured from the actual send.
class Schedule {
 public:
  Schedule(const AnnotatorLoadOptions& options, int index, Clock::time_point start) {
    if (options.labels_per_second <= 0.0) return;
    period_ = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(
        static_cast<double>(options.annotators) / options.labels_per_second));
    // Phases spread over a whole batch of periods, not one: otherwise every annotator would
    // finish its batch in the same period and all 64 GetNextBatch calls would arrive together.
    first_ = start + period_ * std::max(1, options.batch) * index / std::max(1, options.annotators);
  }

  bool paced() const { return period_.count() > 0; }

  // Waits until label `j` (or, with `half_early`, half a period before it) is due and returns
  // that time; a closed loop returns now.
  Clock::time_point WaitFor(int64_t j, bool half_early, Tally* tally) const {
    if (!paced()) return Clock::now();
    Clock::time_point due = first_ + period_ * j;
    if (half_early && j > 0) due -= period_ / 2;  // the first batch opens the schedule
    std::this_thread::sleep_until(due);
    const int64_t lag = Nanos(due, Clock::now());
    if (lag > 1000000) ++tally->late_sends;
    tally->max_lag_ns = std::max(tally->max_lag_ns, lag);
    return due;
  }

 private:
  Clock::duration period_{0};
  Clock::time_point first_;
};

void RunAnnotator(int index, std::shared_ptr<grpc::Channel> channel,
                  const AnnotatorLoadOptions& options, Window window, Tally* tally) {
  v1::QueueService::Stub stub(std::move(channel));
  std::mt19937_64 rng(static_cast<uint64_t>(index) + 1);
  const std::string annotator = absl::StrFormat("annotator-%02d", index);
  const auto deadline = [] { return std::chrono::system_clock::now() + std::chrono::seconds(60); };
  const Schedule schedule(options, index, window.start);
  int64_t label_slot = 0;  // the next label's place in the schedule
  while (Clock::now() < window.end) {
    v1::GetNextBatchRequest request;
    request.set_count(options.batch);
    request.set_annotator(annotator);
    request.set_lease_seconds(options.lease_seconds);
    v1::GetNextBatchResponse batch;
    const Clock::time_point start = schedule.WaitFor(label_slot, /*half_early=*/true, tally);
    if (start >= window.end) break;
    grpc::ClientContext context;
    context.set_deadline(deadline());
    const grpc::Status status = stub.GetNextBatch(&context, request, &batch);
    const Clock::time_point done = Clock::now();
    if (!status.ok()) {
      tally->Error(status);
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      continue;
    }
    if (start >= window.measure_from && done <= window.end) {
      tally->next_batch_ns.push_back(Nanos(start, done));
      ++tally->batches;
      tally->items += batch.items_size();
      if (batch.items_size() < options.batch) ++tally->short_batches;
    }
    if (batch.items_size() == 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      continue;
    }
    for (const v1::QueueItem& item : batch.items()) {
      // Items not submitted when the window closes stay leased; nothing counts them.
      const Clock::time_point sent = schedule.WaitFor(label_slot++, /*half_early=*/false, tally);
      if (sent >= window.end) break;
      v1::SubmitLabelsRequest submit;
      submit.set_image_id(item.image_id());
      submit.set_lease_id(item.lease_id());
      AddBoxes(item, options.classes, rng, &submit);
      v1::SubmitLabelsResponse response;
      grpc::ClientContext submit_context;
      submit_context.set_deadline(deadline());
      const grpc::Status submitted = stub.SubmitLabels(&submit_context, submit, &response);
      const Clock::time_point acked = Clock::now();
      if (!submitted.ok()) {
        tally->Error(submitted);
        continue;
      }
      ++tally->labels_acked_total;
      window.acked->fetch_add(1, std::memory_order_relaxed);
      if (sent >= window.measure_from && acked <= window.end) {
        tally->submit_ns.push_back(Nanos(sent, acked));
      }
      if (acked >= window.measure_from && acked <= window.end) ++tally->labels_acked;
    }
  }
}

}  // namespace

AnnotatorLoadResult RunAnnotatorLoad(const AnnotatorLoadOptions& options) {
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  for (int c = 0; c < std::max(1, options.channels); ++c) {
    channels.push_back(NewOwnChannel(options.address));
  }
  const auto to_duration = [](double seconds) {
    return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  };
  std::atomic<int64_t> acked{0};
  Window window;
  window.acked = &acked;
  window.start = Clock::now();
  window.measure_from = window.start + to_duration(options.warmup_seconds);
  window.end = window.measure_from + to_duration(options.seconds);
  std::vector<Tally> tallies(static_cast<size_t>(options.annotators));
  std::vector<std::thread> threads;
  for (int a = 0; a < options.annotators; ++a) {
    threads.emplace_back(RunAnnotator, a, channels[static_cast<size_t>(a) % channels.size()],
                         std::cref(options), window, &tallies[static_cast<size_t>(a)]);
  }
  AnnotatorLoadResult result;
  std::this_thread::sleep_until(window.measure_from);
  if (options.on_window_start) options.on_window_start();
  const Clock::duration interval = to_duration(std::max(0.1, options.interval_seconds));
  int64_t acked_before = acked.load();
  for (Clock::time_point from = window.measure_from; from < window.end; from += interval) {
    const Clock::time_point to = std::min(window.end, from + interval);
    std::this_thread::sleep_until(to);
    const int64_t now_acked = acked.load();
    result.labels_per_second_timeline.push_back(static_cast<double>(now_acked - acked_before) /
                                                std::chrono::duration<double>(to - from).count());
    acked_before = now_acked;
  }
  if (options.on_window_end) options.on_window_end();
  for (std::thread& thread : threads) thread.join();
  result.window_seconds = options.seconds;
  for (Tally& t : tallies) {
    result.next_batch_ns.insert(result.next_batch_ns.end(), t.next_batch_ns.begin(),
                                t.next_batch_ns.end());
    result.submit_ns.insert(result.submit_ns.end(), t.submit_ns.begin(), t.submit_ns.end());
    result.labels_acked_total += t.labels_acked_total;
    result.labels_acked += t.labels_acked;
    result.batches += t.batches;
    result.items_handed_out += t.items;
    result.short_batches += t.short_batches;
    result.late_sends += t.late_sends;
    result.max_lag_ns = std::max(result.max_lag_ns, t.max_lag_ns);
    for (const auto& [code, count] : t.errors) result.errors[code] += count;
    for (const auto& [code, message] : t.first_error) result.first_error.emplace(code, message);
  }
  return result;
}

}  // namespace labelloop
