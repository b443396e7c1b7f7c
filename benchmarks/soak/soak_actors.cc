#include "benchmarks/soak/soak_actors.h"

#include <algorithm>
#include <chrono>
#include <random>
#include <thread>

#include "absl/strings/str_format.h"
#include "labelloop/v1/dataset.grpc.pb.h"
#include "labelloop/v1/queue.grpc.pb.h"
#include "labelloop/v1/review.grpc.pb.h"
#include "labelloop/v1/training.grpc.pb.h"

namespace labelloop {
namespace {

using Clock = std::chrono::steady_clock;

// Every call gets a minute: a soak run counts a slow answer as a latency, not as an error,
// unless it is absurdly slow.
void SetDeadline(grpc::ClientContext* context) {
  context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
}

// Sleeps `ms`, waking early when the run stops.
void Pause(const SoakShared& shared, int64_t ms) {
  const Clock::time_point until = Clock::now() + std::chrono::milliseconds(ms);
  while (!shared.stop->load() && Clock::now() < until) {
    std::this_thread::sleep_for(
        std::min<Clock::duration>(until - Clock::now(), std::chrono::milliseconds(50)));
  }
}

int64_t ThinkMs(std::mt19937_64& rng, int think_ms) {
  return std::uniform_int_distribution<int64_t>(think_ms / 2, 3 * int64_t{think_ms} / 2)(rng);
}

}  // namespace

void SoakShared::Event(const std::string& what) const {
  const double at = std::chrono::duration<double>(Clock::now() - started).count();
  std::lock_guard<std::mutex> lock(*events_mu);
  events->push_back(absl::StrFormat("[%6.0f s] %s", at, what));
}

void RunAnnotator(int index, std::shared_ptr<grpc::Channel> channel,
                  const AnnotatorOptions& options, const SoakShared& shared) {
  v1::QueueService::Stub queue(std::move(channel));
  std::mt19937_64 rng(static_cast<uint64_t>(index) * 7919 + 17);
  std::uniform_real_distribution<float> jitter(-1.5f, 1.5f);
  const std::string annotator = absl::StrFormat("annotator-%02d", index);
  // Spread the first calls, as people do not all sit down at the same millisecond.
  Pause(shared, static_cast<int64_t>(rng() % 2000));
  while (!shared.stop->load()) {
    v1::GetNextBatchRequest request;
    request.set_count(options.batch);
    request.set_annotator(annotator);
    request.set_lease_seconds(options.lease_seconds);
    v1::GetNextBatchResponse batch;
    grpc::ClientContext context;
    SetDeadline(&context);
    Clock::time_point start = Clock::now();
    const grpc::Status status = queue.GetNextBatch(&context, request, &batch);
    shared.recorder->Record("GetNextBatch", start, status);
    if (!status.ok() || batch.items().empty()) {
      Pause(shared, 1000);
      continue;
    }
    for (const v1::QueueItem& item : batch.items()) {
      Pause(shared, ThinkMs(rng, options.think_ms));
      if (shared.stop->load()) break;  // the lease just runs out
      v1::SubmitLabelsRequest submit;
      submit.set_image_id(item.image_id());
      submit.set_lease_id(item.lease_id());
      auto truth = shared.truth->find(item.image_id());
      if (truth != shared.truth->end()) {
        for (const v1::Box& exact : truth->second) {
          v1::Box* box = submit.add_boxes();
          *box = exact;
          const float w = static_cast<float>(item.width());
          const float h = static_cast<float>(item.height());
          box->set_x1(std::clamp(exact.x1() + jitter(rng), 0.0f, w - 2));
          box->set_y1(std::clamp(exact.y1() + jitter(rng), 0.0f, h - 2));
          box->set_x2(std::clamp(exact.x2() + jitter(rng), box->x1() + 1, w));
          box->set_y2(std::clamp(exact.y2() + jitter(rng), box->y1() + 1, h));
        }
      }
      v1::SubmitLabelsResponse reply;
      grpc::ClientContext submit_context;
      SetDeadline(&submit_context);
      start = Clock::now();
      const grpc::Status submitted = queue.SubmitLabels(&submit_context, submit, &reply);
      shared.recorder->Record("SubmitLabels", start, submitted);
      if (submitted.ok()) shared.recorder->LabelAcked();
    }
  }
}

namespace {

// The fallback when the daemon has no review workflow: a dashboard that reads.
void ReadLikeADashboard(const std::shared_ptr<grpc::Channel>& channel, const SoakShared& shared) {
  v1::DatasetService::Stub dataset(channel);
  v1::TrainingService::Stub training(channel);
  while (!shared.stop->load()) {
    v1::ListImagesRequest list;
    list.set_page_size(100);
    v1::ListImagesResponse images;
    grpc::ClientContext list_context;
    SetDeadline(&list_context);
    Clock::time_point start = Clock::now();
    shared.recorder->Record("ListImages", start, dataset.ListImages(&list_context, list, &images));
    v1::ListJobsResponse jobs;
    grpc::ClientContext jobs_context;
    SetDeadline(&jobs_context);
    start = Clock::now();
    shared.recorder->Record("ListJobs", start,
                            training.ListJobs(&jobs_context, v1::ListJobsRequest(), &jobs));
    Pause(shared, 1000);
  }
}

}  // namespace

void RunReviewer(std::shared_ptr<grpc::Channel> channel, int think_ms, const SoakShared& shared) {
  v1::ReviewService::Stub review(channel);
  std::mt19937_64 rng(4242);
  int64_t reviewed = 0;
  while (!shared.stop->load()) {
    v1::GetNextReviewRequest request;
    request.set_reviewer("reviewer-1");
    v1::GetNextReviewResponse next;
    grpc::ClientContext context;
    SetDeadline(&context);
    Clock::time_point start = Clock::now();
    const grpc::Status status = review.GetNextReview(&context, request, &next);
    if (status.error_code() == grpc::StatusCode::UNIMPLEMENTED) {
      shared.Event("the daemon has no ReviewService: the reviewer reads (ListImages, ListJobs)");
      ReadLikeADashboard(channel, shared);
      return;
    }
    shared.recorder->Record("GetNextReview", start, status);
    if (!status.ok() || !next.has_item()) {
      Pause(shared, 1000);
      continue;
    }
    Pause(shared, ThinkMs(rng, think_ms));
    if (shared.stop->load()) break;
    grpc::ClientContext decide_context;
    SetDeadline(&decide_context);
    v1::ReviewedLabel reviewed_label;
    start = Clock::now();
    if (++reviewed % 10 == 0) {
      v1::RejectLabelRequest reject;
      reject.set_label_id(next.item().label().label_id());
      reject.set_lease_id(next.item().lease_id());
      reject.set_reason("boxes too loose: draw them tight around each object");
      shared.recorder->Record("RejectLabel", start,
                              review.RejectLabel(&decide_context, reject, &reviewed_label));
    } else {
      v1::AcceptLabelRequest accept;
      accept.set_label_id(next.item().label().label_id());
      accept.set_lease_id(next.item().lease_id());
      shared.recorder->Record("AcceptLabel", start,
                              review.AcceptLabel(&decide_context, accept, &reviewed_label));
    }
  }
}

void RunRounds(std::shared_ptr<grpc::Channel> channel, int every_seconds,
               const SoakShared& shared) {
  v1::TrainingService::Stub training(std::move(channel));
  Clock::time_point next_start = Clock::now() + std::chrono::seconds(every_seconds);
  while (!shared.stop->load()) {
    Pause(shared,
          std::chrono::duration_cast<std::chrono::milliseconds>(next_start - Clock::now()).count());
    if (shared.stop->load()) return;
    next_start = Clock::now() + std::chrono::seconds(every_seconds);
    v1::Job job;
    grpc::ClientContext context;
    SetDeadline(&context);
    Clock::time_point start = Clock::now();
    const grpc::Status status = training.StartRound(&context, v1::StartRoundRequest(), &job);
    shared.recorder->Record("StartRound", start, status);
    if (!status.ok()) continue;
    const Clock::time_point round_start = Clock::now();
    while (!shared.stop->load() &&
           (job.state() == v1::JOB_STATE_QUEUED || job.state() == v1::JOB_STATE_RUNNING)) {
      Pause(shared, 2000);
      v1::GetJobRequest get;
      get.set_job_id(job.id());
      grpc::ClientContext get_context;
      SetDeadline(&get_context);
      start = Clock::now();
      v1::Job polled;
      const grpc::Status got = training.GetJob(&get_context, get, &polled);
      shared.recorder->Record("GetJob", start, got);
      if (got.ok()) job = polled;
    }
    if (job.state() == v1::JOB_STATE_QUEUED || job.state() == v1::JOB_STATE_RUNNING) return;
    shared.Event(absl::StrFormat(
        "round %d %s in %.0f s on %d train / %d val labels%s%s", job.id(),
        v1::JobState_Name(job.state()),
        std::chrono::duration<double>(Clock::now() - round_start).count(), job.train_labels(),
        job.val_labels(),
        job.result_version().empty()
            ? ""
            : absl::StrFormat(": %s %s (%s)", job.result_version(),
                              job.promoted() ? "promoted" : "not promoted", job.promotion_reason()),
        job.error().empty() ? "" : ": " + job.error()));
  }
}

}  // namespace labelloop
