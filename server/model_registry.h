#ifndef LABELLOOP_SERVER_MODEL_REGISTRY_H_
#define LABELLOOP_SERVER_MODEL_REGISTRY_H_

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/clock.h"
#include "common/store.h"
#include "inference/serving_model.h"
#include "labelloop/v1/config.pb.h"
#include "labelloop/v1/model.pb.h"
#include "trainer/model_version.h"

namespace labelloop {

// The model versions of a project: folders under models/ (written complete by training jobs),
// their status in the store (candidate, serving, retired, rejected) and the serving history for
// rollbacks, and the serving model itself, held as an immutable shared_ptr that Promote swaps
// atomically after the new version has fully loaded. Requests that started on the old version
// finish on it; nothing half-loaded is ever served. Thread-safe.
class ModelRegistry {
 public:
  // Listens for promotions (pool re-scoring). Called after the swap, outside the registry lock.
  using PromotionListener = std::function<void(std::shared_ptr<const ServingModel>)>;

  // Scans models_dir (removing leftovers of interrupted writes), records unknown versions as
  // candidates, and loads the version the serving history names. A serving version that no
  // longer loads is logged and the previous one in the history is tried.
  static absl::StatusOr<std::unique_ptr<ModelRegistry>> Open(std::string models_dir, Store* store,
                                                             int inference_threads,
                                                             const Clock* clock);

  // The serving model, or null before the first promotion.
  std::shared_ptr<const ServingModel> Serving() const;
  std::string models_dir() const { return models_dir_; }

  absl::StatusOr<std::vector<v1::Model>> List();
  // `version` may be "serving".
  absl::StatusOr<v1::Model> Get(const std::string& version);
  absl::StatusOr<ModelVersionInfo> Info(const std::string& version);
  // The weights file of a version ("serving" allowed).
  absl::StatusOr<std::string> WeightsPath(const std::string& version);
  // Loads any version (for Predict with an explicit version); the serving one is shared.
  absl::StatusOr<std::shared_ptr<const ServingModel>> Load(const std::string& version);

  // Records a version a job has just written, as a candidate.
  absl::StatusOr<v1::Model> AddVersion(const std::string& version);
  // Serves `version`: loads it first (all or nothing), then records it and swaps.
  absl::StatusOr<v1::Model> Promote(const std::string& version, const std::string& reason);
  absl::StatusOr<v1::Model> Reject(const std::string& version, const std::string& reason);
  // Serves the version that served before the current one.
  absl::StatusOr<v1::Model> Rollback();

  void AddPromotionListener(PromotionListener listener);

 private:
  ModelRegistry(std::string models_dir, Store* store, int threads, const Clock* clock)
      : models_dir_(std::move(models_dir)), store_(store), threads_(threads), clock_(clock) {}
  absl::StatusOr<std::string> Resolve(const std::string& version);
  absl::StatusOr<std::shared_ptr<const ServingModel>> LoadVersion(const std::string& version);
  absl::Status SetStatus(const std::string& version, v1::ModelStatus status,
                         const std::string& reason);
  // Swaps in `model` and records the history row, then tells the listeners.
  absl::StatusOr<v1::Model> Serve(std::shared_ptr<const ServingModel> model,
                                  const std::string& reason, bool record_history);
  absl::StatusOr<std::vector<std::string>> ServingHistory();

  const std::string models_dir_;
  Store* const store_;
  const int threads_;
  const Clock* const clock_;

  // Serialises promotions and rollbacks (not reads of the serving model).
  std::mutex promote_mu_;
  mutable std::mutex serving_mu_;
  std::shared_ptr<const ServingModel> serving_;
  std::mutex listeners_mu_;
  std::vector<PromotionListener> listeners_;
};

}  // namespace labelloop

#endif  // LABELLOOP_SERVER_MODEL_REGISTRY_H_
