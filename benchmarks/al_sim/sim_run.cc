#include "benchmarks/al_sim/sim_run.h"

#include <google/protobuf/text_format.h>
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <numeric>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "benchmarks/al_sim/daemon_launcher.h"
#include "labelloop/v1/dataset.grpc.pb.h"
#include "labelloop/v1/model.grpc.pb.h"
#include "labelloop/v1/queue.grpc.pb.h"
#include "labelloop/v1/training.grpc.pb.h"
#include "trainer/coco_eval.h"

namespace labelloop {
namespace {

using Clock = std::chrono::steady_clock;

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

absl::Status FromGrpc(const grpc::Status& status, const std::string& what) {
  if (status.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                      absl::StrCat(what, ": ", status.error_message()));
}

absl::StatusOr<std::string> ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot open ", path));
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// The user's config with what the simulation owns set: the strategy under test, the seeds, and
// no automatic training (rounds start only when the simulator has labeled a full step).
v1::DaemonConfig SimConfig(const SimRunOptions& options) {
  v1::DaemonConfig config = options.config;
  config.mutable_sampler()->set_strategy(options.strategy);
  // The same shuffle seed for every strategy of a seed: hybrid's random share and the pre-model
  // order then differ only where the strategy does.
  config.mutable_queue()->set_shuffle_seed(static_cast<uint64_t>(options.seed));
  config.mutable_training()->set_seed(static_cast<uint64_t>(options.seed));
  config.mutable_training()->set_trigger_new_labels(0);
  config.mutable_training()->set_max_interval_seconds(0);
  return config;
}

class SimClient {
 public:
  SimClient(std::shared_ptr<grpc::Channel> channel)
      : dataset_(v1::DatasetService::NewStub(channel)),
        queue_(v1::QueueService::NewStub(channel)),
        training_(v1::TrainingService::NewStub(channel)),
        models_(v1::ModelService::NewStub(channel)) {}

  absl::Status SetClasses(const std::vector<std::string>& names) {
    grpc::ClientContext context;
    v1::UpdateClassesRequest request;
    for (const std::string& name : names) request.add_names(name);
    v1::UpdateClassesResponse response;
    return FromGrpc(dataset_->UpdateClasses(&context, request, &response), "UpdateClasses");
  }

  // Adds the pool by path; returns the daemon's image id of every pool image, in pool order.
  absl::StatusOr<std::vector<int64_t>> AddPool(const SimDataset& pool) {
    grpc::ClientContext context;
    v1::AddImagesResponse response;
    auto writer = dataset_->AddImages(&context, &response);
    for (const SimImage& image : pool.images) {
      v1::AddImagesRequest request;
      request.set_path(image.path);
      if (!writer->Write(request)) break;
    }
    writer->WritesDone();
    absl::Status status = FromGrpc(writer->Finish(), "AddImages");
    if (!status.ok()) return status;
    if (response.rejected_size() > 0) {
      return absl::InvalidArgumentError(absl::StrCat("AddImages rejected ",
                                                     response.rejected_size(), " images, e.g. ",
                                                     response.rejected(0).DebugString()));
    }
    std::map<std::string, int64_t> ids;
    for (const v1::AddedImage& added : response.images()) ids[added.source()] = added.image_id();
    std::vector<int64_t> result;
    for (const SimImage& image : pool.images) {
      auto it = ids.find(image.path);
      if (it == ids.end()) return absl::InternalError(absl::StrCat("no id for ", image.path));
      result.push_back(it->second);
    }
    return result;
  }

  // The daemon image ids of the labeled images.
  absl::StatusOr<std::set<int64_t>> LabeledImages() {
    grpc::ClientContext context;
    auto reader = dataset_->ExportLabels(&context, v1::ExportLabelsRequest());
    std::set<int64_t> labeled;
    v1::ExportedImage exported;
    while (reader->Read(&exported)) labeled.insert(exported.image().id());
    absl::Status status = FromGrpc(reader->Finish(), "ExportLabels");
    if (!status.ok()) return status;
    return labeled;
  }

  absl::StatusOr<std::string> ServingVersion() {
    grpc::ClientContext context;
    v1::QueueStatus status;
    absl::Status rpc = FromGrpc(
        queue_->GetQueueStatus(&context, v1::GetQueueStatusRequest(), &status), "GetQueueStatus");
    if (!rpc.ok()) return rpc;
    return status.serving_version();
  }

  absl::StatusOr<std::vector<v1::QueueItem>> Pull(int count) {
    grpc::ClientContext context;
    v1::GetNextBatchRequest request;
    request.set_count(count);
    request.set_annotator("al-sim");
    request.set_lease_seconds(3600);
    v1::GetNextBatchResponse response;
    absl::Status status =
        FromGrpc(queue_->GetNextBatch(&context, request, &response), "GetNextBatch");
    if (!status.ok()) return status;
    return std::vector<v1::QueueItem>(response.items().begin(), response.items().end());
  }

  absl::Status Submit(const v1::QueueItem& item, const SimImage& truth) {
    grpc::ClientContext context;
    v1::SubmitLabelsRequest request;
    request.set_image_id(item.image_id());
    request.set_lease_id(item.lease_id());
    for (const SimBox& box : truth.boxes) {
      v1::Box* out = request.add_boxes();
      out->set_x1(static_cast<float>(box.x1));
      out->set_y1(static_cast<float>(box.y1));
      out->set_x2(static_cast<float>(box.x2));
      out->set_y2(static_cast<float>(box.y2));
      out->set_class_name(box.class_name);
    }
    v1::SubmitLabelsResponse response;
    return FromGrpc(queue_->SubmitLabels(&context, request, &response), "SubmitLabels");
  }

  absl::Status Release(const v1::QueueItem& item) {
    grpc::ClientContext context;
    v1::ReleaseLeaseRequest request;
    request.set_image_id(item.image_id());
    request.set_lease_id(item.lease_id());
    v1::ReleaseLeaseResponse response;
    return FromGrpc(queue_->ReleaseLease(&context, request, &response), "ReleaseLease");
  }

  // Starts a round and waits for it to end; a failed or cancelled round is an error.
  absl::StatusOr<v1::Job> TrainRound() {
    v1::Job job;
    {
      grpc::ClientContext context;
      absl::Status status =
          FromGrpc(training_->StartRound(&context, v1::StartRoundRequest(), &job), "StartRound");
      if (!status.ok()) return status;
    }
    // Polling rather than WatchJob: a round takes minutes, and a poll survives a dropped stream.
    while (true) {
      if (job.state() == v1::JOB_STATE_SUCCEEDED) return job;
      if (job.state() == v1::JOB_STATE_FAILED || job.state() == v1::JOB_STATE_CANCELLED) {
        return absl::InternalError(absl::StrCat("training job ", job.id(), " ended in state ",
                                                v1::JobState_Name(job.state()), ": ", job.error()));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
      grpc::ClientContext context;
      v1::GetJobRequest request;
      request.set_job_id(job.id());
      absl::Status status = FromGrpc(training_->GetJob(&context, request, &job), "GetJob");
      if (!status.ok()) return status;
    }
  }

  // Sampling before re-scoring ends would rank the pool by the previous model's scores.
  absl::Status WaitForRescoring(const std::string& version) {
    const Clock::time_point start = Clock::now();
    while (true) {
      grpc::ClientContext context;
      v1::QueueStatus status;
      absl::Status rpc = FromGrpc(
          queue_->GetQueueStatus(&context, v1::GetQueueStatusRequest(), &status), "GetQueueStatus");
      if (!rpc.ok()) return rpc;
      const bool pass_done = status.rescoring_model_version() == version &&
                             status.rescoring_done() >= status.rescoring_total();
      if (status.serving_version() == version && !status.rescoring_running() &&
          (status.scored_by_serving() >= status.waiting() || pass_done)) {
        return absl::OkStatus();
      }
      if (SecondsSince(start) > 600) {
        return absl::DeadlineExceededError(absl::StrCat(
            "pool re-scoring did not finish within 10 minutes: ", status.ShortDebugString()));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
  }

  absl::StatusOr<v1::PredictResponse> Predict(const std::string& bytes, float threshold) {
    grpc::ClientContext context;
    v1::PredictRequest request;
    request.set_image_data(bytes);
    request.set_score_threshold(threshold);
    v1::PredictResponse response;
    absl::Status status = FromGrpc(models_->Predict(&context, request, &response), "Predict");
    if (!status.ok()) return status;
    return response;
  }

 private:
  std::unique_ptr<v1::DatasetService::Stub> dataset_;
  std::unique_ptr<v1::QueueService::Stub> queue_;
  std::unique_ptr<v1::TrainingService::Stub> training_;
  std::unique_ptr<v1::ModelService::Stub> models_;
};

// COCO mAP of the serving model on the test split. Test images go to Predict as bytes, so they
// never enter the pool or the store's labels.
absl::StatusOr<CocoEvalResult> Evaluate(SimClient* client, const SimDataset& test,
                                        float threshold) {
  CocoGroundTruth truth;
  std::map<std::string, int64_t> category_ids;
  for (size_t c = 0; c < test.class_names.size(); ++c) {
    category_ids[test.class_names[c]] = static_cast<int64_t>(c + 1);
    truth.categories.push_back({static_cast<int64_t>(c + 1), test.class_names[c]});
  }
  std::vector<CocoDetection> detections;
  int64_t annotation_id = 1;
  for (size_t i = 0; i < test.images.size(); ++i) {
    const SimImage& image = test.images[i];
    const int64_t image_id = static_cast<int64_t>(i + 1);
    truth.images.push_back({image_id, image.path, image.width, image.height});
    for (const SimBox& box : image.boxes) {
      CocoAnnotation annotation;
      annotation.id = annotation_id++;
      annotation.image_id = image_id;
      annotation.category_id = category_ids.at(box.class_name);
      annotation.bbox = {box.x1, box.y1, box.x2 - box.x1, box.y2 - box.y1};
      truth.annotations.push_back(annotation);
    }
    absl::StatusOr<std::string> bytes = ReadBytes(image.path);
    if (!bytes.ok()) return bytes.status();
    absl::StatusOr<v1::PredictResponse> predicted = client->Predict(*bytes, threshold);
    if (!predicted.ok()) return predicted.status();
    for (const v1::Box& box : predicted->detections()) {
      auto category = category_ids.find(box.class_name());
      if (category == category_ids.end()) continue;  // A class the test split never has.
      detections.push_back({image_id,
                            category->second,
                            {box.x1(), box.y1(), box.x2() - box.x1(), box.y2() - box.y1()},
                            box.score()});
    }
  }
  return EvaluateBoxes(truth, detections);
}

}  // namespace

std::vector<size_t> InitialSet(size_t pool_size, int count, int seed) {
  std::vector<size_t> order(pool_size);
  std::iota(order.begin(), order.end(), 0);
  // mt19937_64 and a hand-written Fisher-Yates: std::shuffle's algorithm is not specified, and
  // the initial set must be the same on every standard library.
  std::mt19937_64 rng(static_cast<uint64_t>(seed) * 0x9E3779B97F4A7C15ull + 1);
  for (size_t i = pool_size; i > 1; --i) std::swap(order[i - 1], order[rng() % i]);
  order.resize(std::min(pool_size, static_cast<size_t>(std::max(count, 0))));
  return order;
}

absl::StatusOr<std::vector<SimRound>> RunSimulation(const SimRunOptions& options,
                                                    const SimDataset& pool, const SimDataset& test,
                                                    const SimDataset* tune) {
  const bool resume = !options.done.empty();
  const std::string config_path = options.work_dir + "/config.textproto";
  std::string config_text;
  google::protobuf::TextFormat::PrintToString(SimConfig(options), &config_text);
  if (resume) {
    // Going on with another config would splice two experiments into one curve.
    absl::StatusOr<std::string> stored = ReadBytes(config_path);
    if (!stored.ok() || !std::filesystem::is_directory(options.work_dir + "/data")) {
      return absl::FailedPreconditionError(
          absl::StrCat("cannot resume: ", options.work_dir,
                       " does not hold the run's daemon data and config.textproto"));
    }
    if (*stored != config_text) {
      return absl::FailedPreconditionError(
          absl::StrCat("cannot resume: --config (with the run's strategy and seed) differs from ",
                       config_path, ", the config the run was made with"));
    }
  } else {
    std::filesystem::create_directories(options.work_dir);
    std::ofstream(config_path) << config_text;
  }
  absl::StatusOr<std::unique_ptr<SimDaemon>> daemon =
      SimDaemon::Start(options.labelloopd, options.work_dir + "/data", config_path,
                       options.work_dir + "/labelloopd.log");
  if (!daemon.ok()) return daemon.status();
  SimClient client((*daemon)->channel());

  std::vector<std::string> classes = pool.class_names;
  for (const SimDataset* split : {&test, tune}) {
    if (split == nullptr) continue;
    for (const std::string& name : split->class_names) {
      if (std::find(classes.begin(), classes.end(), name) == classes.end()) classes.push_back(name);
    }
  }
  if (absl::Status status = client.SetClasses(classes); !status.ok()) return status;
  absl::StatusOr<std::vector<int64_t>> ids = client.AddPool(pool);
  if (!ids.ok()) return ids.status();
  std::map<int64_t, size_t> pool_index;
  for (size_t i = 0; i < ids->size(); ++i) pool_index[(*ids)[i]] = i;

  int64_t labeled_images = 0;
  int64_t labeled_boxes = 0;
  std::map<std::string, int64_t> labeled_per_class;
  auto count_labeled = [&](const SimImage& truth) {
    ++labeled_images;
    labeled_boxes += static_cast<int64_t>(truth.boxes.size());
    for (const SimBox& box : truth.boxes) ++labeled_per_class[box.class_name];
  };
  auto label = [&](const v1::QueueItem& item) -> absl::Status {
    const SimImage& truth = pool.images[pool_index.at(item.image_id())];
    if (absl::Status status = client.Submit(item, truth); !status.ok()) return status;
    count_labeled(truth);
    return absl::OkStatus();
  };

  Clock::time_point round_start = Clock::now();
  if (resume) {
    // The daemon's labels must be the ones the last measured round trained on.
    absl::StatusOr<std::set<int64_t>> labeled = client.LabeledImages();
    if (!labeled.ok()) return labeled.status();
    for (int64_t image_id : *labeled) {
      auto it = pool_index.find(image_id);
      if (it == pool_index.end()) {
        return absl::FailedPreconditionError(
            absl::StrCat("cannot resume: labeled image ", image_id, " in ", options.work_dir,
                         " is not in the pool; is --train-* the pool the run was made with?"));
      }
      count_labeled(pool.images[it->second]);
    }
    const SimRound& last = options.done.back();
    if (labeled_images != last.images || labeled_boxes != last.boxes) {
      return absl::FailedPreconditionError(absl::StrFormat(
          "cannot resume: %s holds %d labeled images with %d boxes, but the run's last round "
          "had %d images with %d boxes",
          options.work_dir, labeled_images, labeled_boxes, last.images, last.boxes));
    }
    // Picks wait for the restarted daemon's scores, as they waited for re-scoring in the run.
    if (options.strategy != "random") {
      absl::StatusOr<std::string> serving = client.ServingVersion();
      if (!serving.ok()) return serving.status();
      if (!serving->empty()) {
        if (absl::Status status = client.WaitForRescoring(*serving); !status.ok()) return status;
      }
    }
  } else {
    // The initial set goes through the queue like any label: pull until every chosen image has
    // been handed out, label those, and give the others back.
    std::set<int64_t> wanted;
    for (size_t i : InitialSet(pool.images.size(), options.initial, options.seed)) {
      wanted.insert((*ids)[i]);
    }
    std::vector<v1::QueueItem> others;
    while (!wanted.empty()) {
      absl::StatusOr<std::vector<v1::QueueItem>> items = client.Pull(256);
      if (!items.ok()) return items.status();
      if (items->empty()) return absl::InternalError("the queue ran dry before the initial set");
      for (const v1::QueueItem& item : *items) {
        if (wanted.erase(item.image_id()) > 0) {
          if (absl::Status status = label(item); !status.ok()) return status;
        } else {
          others.push_back(item);
        }
      }
    }
    for (const v1::QueueItem& item : others) {
      if (absl::Status status = client.Release(item); !status.ok()) return status;
    }
  }

  std::vector<SimRound> rounds = options.done;
  for (int round = static_cast<int>(rounds.size()); round < options.rounds; ++round) {
    if (round > 0) {
      round_start = Clock::now();
      absl::StatusOr<std::vector<v1::QueueItem>> items = client.Pull(options.step);
      if (!items.ok()) return items.status();
      if (items->empty()) {
        std::cout << "  the pool is exhausted; stopping after " << round << " rounds\n";
        break;
      }
      for (const v1::QueueItem& item : *items) {
        if (absl::Status status = label(item); !status.ok()) return status;
      }
    }
    absl::StatusOr<v1::Job> job = client.TrainRound();
    if (!job.ok()) return job.status();
    // The random strategy ranks by the seeded shuffle alone; the daemon does not re-score for it.
    if (job->promoted() && options.strategy != "random") {
      if (absl::Status status = client.WaitForRescoring(job->result_version()); !status.ok()) {
        return status;
      }
    }
    absl::StatusOr<CocoEvalResult> eval =
        Evaluate(&client, test, static_cast<float>(options.eval_score_threshold));
    if (!eval.ok()) return eval.status();
    SimRound result;
    result.images = labeled_images;
    result.boxes = labeled_boxes;
    // -1 means "no ground truth", which a test split with boxes never gives; clamp for plotting.
    result.map = std::max(0.0, eval->map);
    result.map50 = std::max(0.0, eval->map50);
    std::string per_class;
    for (const std::string& name : pool.class_names) {
      double ap = -1;
      for (const CocoClassResult& c : eval->per_class) {
        if (c.name == name) ap = c.ap;
      }
      result.class_ap.push_back(ap);
      result.class_boxes.push_back(labeled_per_class[name]);
      absl::StrAppendFormat(&per_class, "%s%s %.3f", per_class.empty() ? "" : ", ", name, ap);
    }
    std::string tune_text;
    if (tune != nullptr) {
      absl::StatusOr<CocoEvalResult> tuned =
          Evaluate(&client, *tune, static_cast<float>(options.eval_score_threshold));
      if (!tuned.ok()) return tuned.status();
      result.tune_map = std::max(0.0, tuned->map);
      result.tune_map50 = std::max(0.0, tuned->map50);
      tune_text = absl::StrFormat(", tuning mAP %.4f", result.tune_map);
    }
    result.seconds = SecondsSince(round_start);
    result.model_version = job->result_version();
    result.promoted = job->promoted();
    std::cout << absl::StrFormat(
                     "  %s seed %d round %d: %d images, %d boxes, mAP %.4f, mAP50 %.4f (%s)%s, "
                     "%.0f s (model %s %s)",
                     options.name.empty() ? options.strategy : options.name, options.seed, round,
                     result.images, result.boxes, result.map, result.map50, per_class, tune_text,
                     result.seconds, result.model_version,
                     result.promoted ? "promoted" : "not promoted: " + job->promotion_reason())
              << std::endl;
    rounds.push_back(result);
  }
  return rounds;
}

}  // namespace labelloop
