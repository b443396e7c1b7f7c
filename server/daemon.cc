#include "server/daemon.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>

#include <chrono>

#include "absl/strings/str_cat.h"
#include "sampler/hybrid_picker.h"
#include "sampler/pool_rescorer.h"
#include "sampler/sampler_options.h"
#include "server/annotator_service.h"
#include "server/auth/call_admission.h"
#include "server/auth/server_credentials.h"
#include "server/auto_labeler.h"
#include "server/dataset_service.h"
#include "server/job_store.h"
#include "server/model_registry.h"
#include "server/model_service.h"
#include "server/queue_service.h"
#include "server/review_service.h"
#include "server/suspect_scanner.h"
#include "server/suspect_service.h"
#include "server/training_round.h"
#include "server/training_scheduler.h"
#include "server/training_service.h"
#include "spdlog/spdlog.h"

namespace labelloop {
namespace {

// Idle gRPC threads kept, as a multiple of server.threads (see Daemon::Start).
constexpr int kPollerHeadroom = 16;

}  // namespace

absl::StatusOr<std::unique_ptr<Daemon>> Daemon::Create(const v1::DaemonConfig& config,
                                                       const std::string& data_dir) {
  std::unique_ptr<Daemon> daemon(new Daemon());
  daemon->config_ = config;
  StoreOptions store_options;
  store_options.busy_timeout_ms = config.store().busy_timeout_ms();
  store_options.validation_share = config.store().validation_share();
  store_options.review = ReviewRule::FromConfig(config.review());
  absl::StatusOr<std::unique_ptr<Store>> store = Store::Open(data_dir, store_options);
  if (!store.ok()) return store.status();
  daemon->store_ = *std::move(store);

  absl::StatusOr<SamplerOptions> sampler = SamplerOptionsFromConfig(config.sampler());
  if (!sampler.ok()) return sampler.status();
  QueueOptions queue_options;
  queue_options.shuffle_seed = config.queue().shuffle_seed();
  queue_options.tie_epsilon = sampler->tie_epsilon;
  queue_options.candidate_factor = sampler->selection.candidate_factor;
  queue_options.default_lease_seconds = config.queue().default_lease_seconds();
  queue_options.max_lease_seconds = config.queue().max_lease_seconds();
  queue_options.max_batch_count = config.limits().max_batch_count();
  queue_options.box_tolerance_pixels = config.limits().box_tolerance_pixels();
  queue_options.max_boxes_per_image = config.limits().max_boxes_per_image();
  queue_options.overlap = OverlapRule::FromConfig(config.overlap());
  absl::StatusOr<std::unique_ptr<LabelQueue>> queue =
      LabelQueue::Create(daemon->store_.get(), queue_options, &daemon->clock_);
  if (!queue.ok()) return queue.status();
  daemon->queue_ = *std::move(queue);

  absl::StatusOr<std::unique_ptr<ModelRegistry>> registry = ModelRegistry::Open(
      data_dir + "/models", daemon->store_.get(), config.detector().threads(), &daemon->clock_);
  if (!registry.ok()) return registry.status();
  daemon->registry_ = *std::move(registry);

  PoolRescorerOptions rescorer_options;
  rescorer_options.sampler = *sampler;
  rescorer_options.label_assist_threshold = config.detector().label_assist_threshold();
  rescorer_options.max_image_bytes = config.limits().max_image_bytes();
  rescorer_options.threads = config.detector().threads();
  daemon->rescorer_ =
      std::make_unique<PoolRescorer>(daemon->store_.get(), daemon->queue_.get(), rescorer_options);
  std::shared_ptr<const ServingModel> serving = daemon->registry_->Serving();
  absl::Status loaded =
      daemon->rescorer_->LoadStoredScores(serving != nullptr ? serving->version() : "");
  if (!loaded.ok()) return loaded;
  if (serving != nullptr) daemon->rescorer_->Resume(serving);
  if (sampler->strategy == SamplingStrategy::kHybrid) {
    daemon->queue_->SetBatchPicker(
        MakeHybridPicker(daemon->store_.get(), *sampler, config.queue().shuffle_seed()));
  }
  PoolRescorer* rescorer = daemon->rescorer_.get();
  daemon->registry_->AddPromotionListener(
      [rescorer](std::shared_ptr<const ServingModel> model) { rescorer->OnPromotion(model); });
  if (config.suspects().enabled()) {
    daemon->suspect_scanner_ =
        std::make_unique<SuspectScanner>(daemon->store_.get(), config.suspects(),
                                         config.limits().max_image_bytes(), &daemon->clock_);
    SuspectScanner* scanner = daemon->suspect_scanner_.get();
    daemon->registry_->AddPromotionListener(
        [scanner](std::shared_ptr<const ServingModel> model) { scanner->OnPromotion(model); });
  }
  if (config.autolabel().enabled()) {
    AutoLabelerOptions autolabel_options;
    autolabel_options.config = config.autolabel();
    autolabel_options.label_assist_threshold = config.detector().label_assist_threshold();
    daemon->auto_labeler_ = std::make_unique<AutoLabeler>(
        daemon->store_.get(), daemon->queue_.get(), daemon->registry_.get(), rescorer,
        autolabel_options, &daemon->clock_);
    AutoLabeler* labeler = daemon->auto_labeler_.get();
    // After the re-scoring listener: the labeler waits for that pass to finish.
    daemon->registry_->AddPromotionListener(
        [labeler](std::shared_ptr<const ServingModel> model) { labeler->OnPromotion(model); });
    // A pass a restart interrupted, or images scored since: labeling only takes untouched
    // images, so running it again is harmless.
    if (serving != nullptr) labeler->OnPromotion(serving);
  }
  daemon->annotator_service_ = std::make_unique<AnnotatorServiceImpl>(daemon->store_.get());
  daemon->suspect_service_ = std::make_unique<SuspectServiceImpl>(
      daemon->store_.get(), daemon->suspect_scanner_.get(), &daemon->clock_);

  std::optional<auth::TokenFile> tokens;
  if (!config.security().tokens_file().empty()) {
    absl::StatusOr<auth::TokenFile> loaded_tokens =
        auth::TokenFile::Load(config.security().tokens_file());
    if (!loaded_tokens.ok()) return loaded_tokens.status();
    tokens = *std::move(loaded_tokens);
  }
  daemon->admission_ =
      std::make_unique<auth::CallAdmission>(std::move(tokens), config.limits(), &daemon->clock_);

  daemon->jobs_ = std::make_unique<JobStore>(daemon->store_.get());
  absl::StatusOr<int64_t> labels = daemon->store_->CountLabels();
  if (!labels.ok()) return labels.status();
  TriggerOptions triggers{config.training().trigger_new_labels(),
                          config.training().max_interval_seconds()};
  absl::StatusOr<std::unique_ptr<TrainingScheduler>> scheduler = TrainingScheduler::Create(
      daemon->jobs_.get(), triggers, *labels,
      MakeTrainingRoundRunner(config, daemon->store_.get(), daemon->registry_.get()),
      &daemon->clock_);
  if (!scheduler.ok()) return scheduler.status();
  daemon->scheduler_ = *std::move(scheduler);

  ImageLimits limits{config.limits().max_image_bytes(), config.limits().max_image_pixels()};
  TrainingScheduler* scheduler_ptr = daemon->scheduler_.get();
  daemon->dataset_service_ = std::make_unique<DatasetServiceImpl>(
      daemon->store_.get(), daemon->queue_.get(), limits, &daemon->clock_,
      [rescorer](const std::vector<int64_t>& ids) { rescorer->OnImagesAdded(ids); },
      LabelImportOptions{config.limits().max_boxes_per_image(),
                         config.limits().box_tolerance_pixels()},
      [scheduler_ptr](int64_t count) { scheduler_ptr->OnLabelsStored(count); });
  daemon->queue_service_ = std::make_unique<QueueServiceImpl>(
      daemon->queue_.get(), daemon->store_.get(), daemon->registry_.get(), rescorer,
      config.sampler().strategy(),
      [scheduler_ptr](int64_t count) { scheduler_ptr->OnLabelsStored(count); });
  daemon->training_service_ = std::make_unique<TrainingServiceImpl>(daemon->scheduler_.get());
  ReviewServiceOptions review_options;
  review_options.config = config.review();
  review_options.box_tolerance_pixels = config.limits().box_tolerance_pixels();
  review_options.max_boxes_per_image = config.limits().max_boxes_per_image();
  daemon->review_service_ = std::make_unique<ReviewServiceImpl>(
      daemon->store_.get(), daemon->queue_.get(), review_options, &daemon->clock_,
      [scheduler_ptr](int64_t count) { scheduler_ptr->OnLabelsStored(count); });
  daemon->model_service_ = std::make_unique<ModelServiceImpl>(
      daemon->registry_.get(), daemon->store_.get(), config.detector().label_assist_threshold(),
      ImageLimits{config.limits().max_image_bytes(), config.limits().max_image_pixels()},
      daemon->auto_labeler_.get());
  return daemon;
}

Daemon::~Daemon() {
  if (server_ != nullptr) {
    Shutdown();
    Wait();
  }
  // A running training job and pool scoring stop before the store they use closes.
  scheduler_.reset();
  auto_labeler_.reset();
  suspect_scanner_.reset();
  rescorer_.reset();
}

absl::StatusOr<std::string> Daemon::Start(const std::string& listen) {
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  int port = 0;
  // Plaintext, TLS or mutual TLS from config.security; main refuses plaintext beyond loopback.
  absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> credentials =
      auth::MakeServerCredentials(config_.security());
  if (!credentials.ok()) return credentials.status();
  builder.AddListeningPort(listen, *credentials, &port);
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> interceptors;
  interceptors.push_back(admission_->InterceptorFactory());
  builder.experimental().SetInterceptorCreators(std::move(interceptors));
  builder.SetMaxReceiveMessageSize(config_.limits().max_message_bytes());
  builder.SetMaxSendMessageSize(config_.limits().max_message_bytes());
  // server.threads pollers wait for calls. A thread that finishes a call polls again only while
  // there are fewer than MAX_POLLERS pollers, else it exits, and a call that leaves fewer than
  // MIN_POLLERS starts a thread: with MIN == MAX every blocking call (SubmitLabels waits for
  // its group commit) started and ended a thread (~20 % of the daemon's CPU under the queue
  // load benchmark). Headroom above MIN keeps the threads of a burst of concurrent calls.
  builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::MIN_POLLERS,
                              config_.server().threads());
  builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::MAX_POLLERS,
                              config_.server().threads() * kPollerHeadroom);
  builder.RegisterService(dataset_service_.get());
  builder.RegisterService(queue_service_.get());
  builder.RegisterService(training_service_.get());
  builder.RegisterService(model_service_.get());
  builder.RegisterService(suspect_service_.get());
  builder.RegisterService(review_service_.get());
  builder.RegisterService(annotator_service_.get());
  server_ = builder.BuildAndStart();
  if (server_ == nullptr || port == 0) {
    server_.reset();
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", listen, " (address in use or not valid?)"));
  }
  std::string host = listen.substr(0, listen.rfind(':'));
  return absl::StrCat(host, ":", port);
}

void Daemon::Shutdown() {
  if (server_ == nullptr) return;
  server_->GetHealthCheckService()->SetServingStatus(false);
  auto deadline = std::chrono::system_clock::now() +
                  std::chrono::seconds(config_.server().shutdown_grace_seconds());
  server_->Shutdown(deadline);
}

void Daemon::Wait() {
  if (server_ != nullptr) server_->Wait();
}

}  // namespace labelloop
