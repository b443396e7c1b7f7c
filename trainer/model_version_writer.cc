#include "trainer/model_version_writer.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <system_error>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/durable_file.h"
#include "common/sha256.h"
#include "inference/checkpoint.h"
#include "inference/checkpoint_metadata.h"

namespace labelloop {
namespace {

namespace fs = std::filesystem;

// The checkpoint's own copy of the headline metrics, so a weights file pulled on its own still
// says how good it was.
std::string MetricsJson(const ModelVersionInfo& info) {
  nlohmann::json per_class = nlohmann::json::object();
  for (const ClassAp& c : info.metrics.per_class) per_class[c.class_name] = c.ap;
  nlohmann::json j = {{"map", info.metrics.map},     {"map50", info.metrics.map50},
                      {"map75", info.metrics.map75}, {"ar100", info.metrics.ar100},
                      {"per_class_ap", per_class},   {"best_epoch", info.best_epoch}};
  return j.dump();
}

// The highest complete v<N> in the folder (0 for none).
absl::StatusOr<int64_t> HighestVersion(const std::string& models_dir) {
  absl::StatusOr<std::vector<std::string>> versions = ListModelVersions(models_dir);
  if (!versions.ok()) return versions.status();
  int64_t highest = 0;
  for (const std::string& name : *versions) {
    highest = std::max(highest, ParseVersionNumber(name).value_or(0));
  }
  return highest;
}

class TempDirGuard {
 public:
  explicit TempDirGuard(std::string path) : path_(std::move(path)) {}
  ~TempDirGuard() {
    if (path_.empty()) return;
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  void Release() { path_.clear(); }

 private:
  std::string path_;
};

}  // namespace

absl::StatusOr<ModelVersionInfo> WriteModelVersion(const std::string& models_dir,
                                                   const torch::nn::Module& module,
                                                   ModelVersionInfo info,
                                                   const WriteModelVersionOptions& options) {
  std::error_code ec;
  fs::create_directories(models_dir, ec);
  if (ec) return FileErrorStatus("cannot create", models_dir, ec.value());
  if (absl::Status s = RemoveIncompleteVersions(models_dir); !s.ok()) return s;
  absl::StatusOr<int64_t> highest = HighestVersion(models_dir);
  if (!highest.ok()) return highest.status();
  int64_t number = *highest + 1;

  std::string pattern =
      (fs::path(models_dir) / absl::StrCat(VersionName(number), ".tmp-XXXXXX")).string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    return FileErrorStatus("cannot create a temporary folder in", models_dir, errno);
  }
  const std::string temp_dir = pattern;
  TempDirGuard guard(temp_dir);

  info.version = VersionName(number);
  CheckpointInfo checkpoint;
  checkpoint.class_names = info.class_names;
  checkpoint.config = info.detector_config;
  checkpoint.metrics_json = MetricsJson(info);
  checkpoint.parent_version = info.parent_version;
  const std::string weights = (fs::path(temp_dir) / kWeightsFileName).string();
  if (absl::Status s = SaveCheckpoint(module, weights, ToSafetensorsMetadata(checkpoint));
      !s.ok()) {
    return s;
  }
  // Hash what is on disk, not what we meant to write.
  absl::StatusOr<std::string> bytes = ReadFileLimited(weights, int64_t{1} << 40);
  if (!bytes.ok()) return bytes.status();
  info.weights_bytes = static_cast<int64_t>(bytes->size());
  info.weights_sha256 = Sha256Hex(*bytes);
  bytes->clear();
  bytes->shrink_to_fit();

  // The version name inside metadata.json must match the folder it ends up in; a lost race
  // below rewrites it.
  const std::string metadata = (fs::path(temp_dir) / kModelMetadataFileName).string();
  for (int attempt = 0;; ++attempt) {
    if (absl::Status s = WriteFileDurably(metadata, ModelVersionToJson(info)); !s.ok()) return s;
    if (absl::Status s = SyncDirectory(temp_dir); !s.ok()) return s;
    if (options.before_publish) {
      if (absl::Status s = options.before_publish(temp_dir); !s.ok()) return s;
    }
    const std::string final_dir = (fs::path(models_dir) / info.version).string();
    // RENAME_NOREPLACE: a plain rename would silently replace an empty folder of that name.
    if (::renameat2(AT_FDCWD, temp_dir.c_str(), AT_FDCWD, final_dir.c_str(), RENAME_NOREPLACE) ==
        0) {
      guard.Release();
      if (absl::Status s = SyncDirectory(models_dir); !s.ok()) return s;
      return info;
    }
    const int err = errno;
    if (err != EEXIST || attempt >= 100) {
      return FileErrorStatus(absl::StrCat("cannot rename ", temp_dir, " to"), final_dir, err);
    }
    info.version = VersionName(++number);
  }
}

}  // namespace labelloop
