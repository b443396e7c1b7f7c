#include "server/model_registry.h"

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "google/protobuf/text_format.h"
#include "inference/detector_config.h"
#include "spdlog/spdlog.h"

namespace labelloop {
namespace {

absl::Status UnknownVersion(const std::string& version) {
  return absl::NotFoundError(
      absl::StrCat("no model version \"", version, "\" (list them with ListModels)"));
}

}  // namespace

absl::StatusOr<std::unique_ptr<ModelRegistry>> ModelRegistry::Open(std::string models_dir,
                                                                   Store* store,
                                                                   int inference_threads,
                                                                   const Clock* clock) {
  std::error_code ec;
  std::filesystem::create_directories(models_dir, ec);
  if (ec) {
    return absl::PermissionDeniedError(
        absl::StrCat("cannot create ", models_dir, ": ", ec.message()));
  }
  absl::Status status = RemoveIncompleteVersions(models_dir);
  if (!status.ok()) return status;
  std::unique_ptr<ModelRegistry> registry(
      new ModelRegistry(models_dir, store, inference_threads, clock));
  absl::StatusOr<std::vector<std::string>> versions = ListModelVersions(models_dir);
  if (!versions.ok()) return versions.status();
  for (const std::string& version : *versions) {
    absl::StatusOr<v1::Model> added = registry->AddVersion(version);
    if (!added.ok()) spdlog::warn("model {} is unreadable: {}", version, added.status().ToString());
  }
  absl::StatusOr<std::vector<std::string>> history = registry->ServingHistory();
  if (!history.ok()) return history.status();
  for (auto it = history->rbegin(); it != history->rend(); ++it) {
    absl::StatusOr<std::shared_ptr<const ServingModel>> model = registry->LoadVersion(*it);
    if (model.ok()) {
      std::lock_guard<std::mutex> lock(registry->serving_mu_);
      registry->serving_ = *std::move(model);
      spdlog::info("serving model {}", *it);
      break;
    }
    spdlog::error("cannot serve {}: {}; trying the version before it", *it,
                  model.status().ToString());
  }
  return registry;
}

std::shared_ptr<const ServingModel> ModelRegistry::Serving() const {
  std::lock_guard<std::mutex> lock(serving_mu_);
  return serving_;
}

absl::StatusOr<std::string> ModelRegistry::Resolve(const std::string& version) {
  if (version == "serving" || version.empty()) {
    std::shared_ptr<const ServingModel> serving = Serving();
    if (serving == nullptr) {
      return absl::FailedPreconditionError(
          "no model serves yet: train a round (labelloop train start) or promote a version");
    }
    return serving->version();
  }
  if (!ParseVersionNumber(version).has_value()) return UnknownVersion(version);
  return version;
}

absl::StatusOr<ModelVersionInfo> ModelRegistry::Info(const std::string& version) {
  absl::StatusOr<std::string> resolved = Resolve(version);
  if (!resolved.ok()) return resolved.status();
  std::string dir = absl::StrCat(models_dir_, "/", *resolved);
  if (!std::filesystem::is_directory(dir)) return UnknownVersion(*resolved);
  return ReadModelVersion(dir);
}

absl::StatusOr<std::string> ModelRegistry::WeightsPath(const std::string& version) {
  absl::StatusOr<ModelVersionInfo> info = Info(version);
  if (!info.ok()) return info.status();
  return absl::StrCat(models_dir_, "/", info->version, "/", kWeightsFileName);
}

absl::StatusOr<std::shared_ptr<const ServingModel>> ModelRegistry::LoadVersion(
    const std::string& version) {
  absl::StatusOr<ModelVersionInfo> info = Info(version);
  if (!info.ok()) return info.status();
  // A version is rebuilt with the detector config it was trained with, so later config edits
  // never break loading older versions.
  v1::DetectorConfig config;
  if (!google::protobuf::TextFormat::ParseFromString(info->detector_config, &config)) {
    return absl::DataLossError(
        absl::StrCat("model ", info->version, " records a detector config that does not parse"));
  }
  absl::StatusOr<FcosOptions> options =
      FcosOptionsFromConfig(config, static_cast<int64_t>(info->class_names.size()));
  if (!options.ok()) return options.status();
  return ServingModel::Load(info->version,
                            absl::StrCat(models_dir_, "/", info->version, "/", kWeightsFileName),
                            *options, info->class_names, threads_);
}

absl::StatusOr<std::shared_ptr<const ServingModel>> ModelRegistry::Load(
    const std::string& version) {
  std::shared_ptr<const ServingModel> serving = Serving();
  if (serving != nullptr &&
      (version.empty() || version == "serving" || version == serving->version())) {
    return serving;
  }
  return LoadVersion(version);
}

absl::StatusOr<std::vector<std::string>> ModelRegistry::ServingHistory() {
  std::vector<std::string> history;
  absl::Status status = store_->Read([&](SqliteDb* db) -> absl::Status {
    absl::StatusOr<SqliteStatement> query =
        db->Prepare("SELECT version FROM serving_history ORDER BY seq");
    if (!query.ok()) return query.status();
    while (true) {
      absl::StatusOr<bool> row = query->Step();
      if (!row.ok()) return row.status();
      if (!*row) return absl::OkStatus();
      history.push_back(query->ColumnText(0));
    }
  });
  if (!status.ok()) return status;
  return history;
}

absl::StatusOr<v1::Model> ModelRegistry::Get(const std::string& version) {
  absl::StatusOr<ModelVersionInfo> info = Info(version);
  if (!info.ok()) return info.status();
  v1::Model model;
  model.set_version(info->version);
  model.set_parent_version(info->parent_version);
  model.set_job_id(info->job_id);
  model.set_created_unix_ms(info->created_unix_ms);
  model.set_train_labels(info->train_labels);
  *model.mutable_metrics() = ToModelMetricsProto(*info);
  for (const std::string& name : info->class_names) model.add_class_names(name);
  model.set_checkpoint_bytes(info->weights_bytes);
  model.set_checkpoint_sha256(info->weights_sha256);
  model.set_status(v1::MODEL_STATUS_CANDIDATE);
  absl::Status status = store_->Read([&](SqliteDb* db) -> absl::Status {
    absl::StatusOr<SqliteStatement> query =
        db->Prepare("SELECT status, promotion_reason FROM models WHERE version = ?");
    if (!query.ok()) return query.status();
    query->Bind(1, info->version);
    absl::StatusOr<bool> row = query->Step();
    if (!row.ok()) return row.status();
    if (*row) {
      model.set_status(static_cast<v1::ModelStatus>(query->ColumnInt(0)));
      model.set_promotion_reason(query->ColumnText(1));
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return model;
}

absl::StatusOr<std::vector<v1::Model>> ModelRegistry::List() {
  absl::StatusOr<std::vector<std::string>> versions = ListModelVersions(models_dir_);
  if (!versions.ok()) return versions.status();
  std::vector<v1::Model> models;
  for (const std::string& version : *versions) {
    absl::StatusOr<v1::Model> model = Get(version);
    if (model.ok()) models.push_back(*std::move(model));
  }
  return models;
}

absl::StatusOr<v1::Model> ModelRegistry::AddVersion(const std::string& version) {
  absl::StatusOr<ModelVersionInfo> info = Info(version);
  if (!info.ok()) return info.status();
  std::optional<int64_t> number = ParseVersionNumber(version);
  absl::Status status = store_->Transact([&](SqliteDb* db) -> absl::Status {
    absl::StatusOr<SqliteStatement> insert = db->Prepare(
        "INSERT OR IGNORE INTO models(version, number, status, created_ms) VALUES(?, ?, ?, ?)");
    if (!insert.ok()) return insert.status();
    return insert->Bind(1, version)
        .Bind(2, *number)
        .Bind(3, static_cast<int64_t>(v1::MODEL_STATUS_CANDIDATE))
        .Bind(4, info->created_unix_ms)
        .Run();
  });
  if (!status.ok()) return status;
  return Get(version);
}

absl::Status ModelRegistry::SetStatus(const std::string& version, v1::ModelStatus model_status,
                                      const std::string& reason) {
  return store_->Transact([&](SqliteDb* db) -> absl::Status {
    absl::StatusOr<SqliteStatement> update =
        db->Prepare("UPDATE models SET status = ?, promotion_reason = ? WHERE version = ?");
    if (!update.ok()) return update.status();
    return update->Bind(1, static_cast<int64_t>(model_status))
        .Bind(2, reason)
        .Bind(3, version)
        .Run();
  });
}

absl::StatusOr<v1::Model> ModelRegistry::Serve(std::shared_ptr<const ServingModel> model,
                                               const std::string& reason, bool record_history) {
  std::shared_ptr<const ServingModel> previous = Serving();
  const std::string version = model->version();
  absl::Status status = store_->Transact([&](SqliteDb* db) -> absl::Status {
    absl::StatusOr<SqliteStatement> retire =
        db->Prepare("UPDATE models SET status = ? WHERE status = ?");
    if (!retire.ok()) return retire.status();
    absl::Status s = retire->Bind(1, static_cast<int64_t>(v1::MODEL_STATUS_RETIRED))
                         .Bind(2, static_cast<int64_t>(v1::MODEL_STATUS_SERVING))
                         .Run();
    if (!s.ok()) return s;
    absl::StatusOr<SqliteStatement> serve =
        db->Prepare("UPDATE models SET status = ?, promotion_reason = ? WHERE version = ?");
    if (!serve.ok()) return serve.status();
    s = serve->Bind(1, static_cast<int64_t>(v1::MODEL_STATUS_SERVING))
            .Bind(2, reason)
            .Bind(3, version)
            .Run();
    if (!s.ok()) return s;
    if (!record_history) return absl::OkStatus();
    absl::StatusOr<SqliteStatement> history =
        db->Prepare("INSERT INTO serving_history(version, reason, promoted_ms) VALUES(?, ?, ?)");
    if (!history.ok()) return history.status();
    return history->Bind(1, version).Bind(2, reason).Bind(3, clock_->NowMs()).Run();
  });
  if (!status.ok()) return status;
  {
    std::lock_guard<std::mutex> lock(serving_mu_);
    serving_ = model;
  }
  spdlog::info("serving model {} (was {}): {}", version,
               previous != nullptr ? previous->version() : "none", reason);
  std::vector<PromotionListener> listeners;
  {
    std::lock_guard<std::mutex> lock(listeners_mu_);
    listeners = listeners_;
  }
  for (const PromotionListener& listener : listeners) listener(model);
  return Get(version);
}

absl::StatusOr<v1::Model> ModelRegistry::Promote(const std::string& version,
                                                 const std::string& reason) {
  std::lock_guard<std::mutex> lock(promote_mu_);
  absl::StatusOr<std::string> resolved = Resolve(version);
  if (!resolved.ok()) return resolved.status();
  std::shared_ptr<const ServingModel> serving = Serving();
  if (serving != nullptr && serving->version() == *resolved) return Get(*resolved);
  absl::StatusOr<v1::Model> added = AddVersion(*resolved);  // Known even if added by hand.
  if (!added.ok()) return added.status();
  absl::StatusOr<std::shared_ptr<const ServingModel>> model = LoadVersion(*resolved);
  if (!model.ok()) {
    return absl::Status(model.status().code(),
                        absl::StrCat("cannot promote ", *resolved, ": ", model.status().message()));
  }
  return Serve(*std::move(model), reason, true);
}

absl::StatusOr<v1::Model> ModelRegistry::Reject(const std::string& version,
                                                const std::string& reason) {
  absl::Status status = SetStatus(version, v1::MODEL_STATUS_REJECTED, reason);
  if (!status.ok()) return status;
  return Get(version);
}

absl::StatusOr<v1::Model> ModelRegistry::Rollback() {
  std::lock_guard<std::mutex> lock(promote_mu_);
  absl::StatusOr<std::vector<std::string>> history = ServingHistory();
  if (!history.ok()) return history.status();
  if (history->size() < 2) {
    return absl::FailedPreconditionError(
        "nothing to roll back to: no version served before the current one");
  }
  const std::string current = history->back();
  const std::string previous = (*history)[history->size() - 2];
  absl::StatusOr<std::shared_ptr<const ServingModel>> model = LoadVersion(previous);
  if (!model.ok()) {
    return absl::Status(model.status().code(), absl::StrCat("cannot roll back to ", previous, ": ",
                                                            model.status().message()));
  }
  // The history is a stack: rolling back pops the current version, so repeated rollbacks walk
  // further back instead of flipping between two versions.
  absl::Status status = store_->Transact([&](SqliteDb* db) -> absl::Status {
    return db->Exec(
        "DELETE FROM serving_history WHERE seq = (SELECT MAX(seq) FROM serving_history)");
  });
  if (!status.ok()) return status;
  absl::StatusOr<v1::Model> served =
      Serve(*std::move(model), absl::StrCat("rolled back from ", current), false);
  if (!served.ok()) return served;
  status = SetStatus(current, v1::MODEL_STATUS_RETIRED, absl::StrCat("rolled back to ", previous));
  if (!status.ok()) return status;
  return served;
}

void ModelRegistry::AddPromotionListener(PromotionListener listener) {
  std::lock_guard<std::mutex> lock(listeners_mu_);
  listeners_.push_back(std::move(listener));
}

}  // namespace labelloop
