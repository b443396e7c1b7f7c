#ifndef LABELLOOP_SERVER_DAEMON_H_
#define LABELLOOP_SERVER_DAEMON_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "common/clock.h"
#include "common/store.h"
#include "labelloop/v1/config.pb.h"
#include "sampler/label_queue.h"

namespace grpc {
class Server;
}

namespace labelloop {
namespace auth {
class CallAdmission;
}

class AnnotatorServiceImpl;
class AutoLabeler;
class DatasetServiceImpl;
class JobStore;
class ModelRegistry;
class ModelServiceImpl;
class PoolRescorer;
class QueueServiceImpl;
class ReviewServiceImpl;
class SuspectScanner;
class SuspectServiceImpl;
class TrainingScheduler;
class TrainingServiceImpl;

// labelloopd's parts wired together: the store, the queue, and the gRPC services over them.
class Daemon {
 public:
  static absl::StatusOr<std::unique_ptr<Daemon>> Create(const v1::DaemonConfig& config,
                                                        const std::string& data_dir);
  ~Daemon();

  // Starts serving on `listen` (host:port; port 0 picks a free one). Returns the bound address.
  absl::StatusOr<std::string> Start(const std::string& listen);
  // Stops accepting calls, lets in-flight ones finish for up to the configured grace period,
  // then cancels the rest. Safe to call from any thread.
  void Shutdown();
  // Blocks until the server has shut down.
  void Wait();

 private:
  Daemon() = default;

  v1::DaemonConfig config_;
  SystemClock clock_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<LabelQueue> queue_;
  std::unique_ptr<ModelRegistry> registry_;
  std::unique_ptr<PoolRescorer> rescorer_;
  std::unique_ptr<JobStore> jobs_;
  std::unique_ptr<TrainingScheduler> scheduler_;
  std::unique_ptr<DatasetServiceImpl> dataset_service_;
  std::unique_ptr<QueueServiceImpl> queue_service_;
  std::unique_ptr<TrainingServiceImpl> training_service_;
  std::unique_ptr<ModelServiceImpl> model_service_;
  std::unique_ptr<SuspectScanner> suspect_scanner_;  // Null when suspects.enabled is false.
  std::unique_ptr<AutoLabeler> auto_labeler_;        // Null when autolabel.enabled is false.
  std::unique_ptr<SuspectServiceImpl> suspect_service_;
  std::unique_ptr<ReviewServiceImpl> review_service_;
  std::unique_ptr<AnnotatorServiceImpl> annotator_service_;
  // Decides every call's token, role, rate and stream slot; outlives server_.
  std::unique_ptr<auth::CallAdmission> admission_;
  std::unique_ptr<grpc::Server> server_;
};

}  // namespace labelloop

#endif  // LABELLOOP_SERVER_DAEMON_H_
