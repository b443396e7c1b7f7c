#include "trainer/model_version.h"

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <system_error>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/durable_file.h"
#include "trainer/error_analysis_json.h"

namespace labelloop {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// metadata.json is small; anything larger is not ours.
constexpr int64_t kMaxMetadataBytes = 16 << 20;

json MetricsToJson(const ModelVersionMetrics& m) {
  json per_class = json::array();
  for (const ClassAp& c : m.per_class) {
    per_class.push_back({{"class_name", c.class_name}, {"ap", c.ap}, {"ap50", c.ap50}});
  }
  return {{"map", m.map},
          {"map50", m.map50},
          {"map75", m.map75},
          {"map_small", m.map_small},
          {"map_medium", m.map_medium},
          {"map_large", m.map_large},
          {"ar100", m.ar100},
          {"per_class", per_class},
          {"val_images", m.val_images},
          {"analysis", ErrorAnalysisToJson(m.analysis)},
          {"autolabel", CalibrationToJson(m.autolabel)}};
}

ModelVersionMetrics MetricsFromJson(const json& j) {
  ModelVersionMetrics m;
  m.map = j.value("map", -1.0);
  m.map50 = j.value("map50", -1.0);
  m.map75 = j.value("map75", -1.0);
  m.map_small = j.value("map_small", -1.0);
  m.map_medium = j.value("map_medium", -1.0);
  m.map_large = j.value("map_large", -1.0);
  m.ar100 = j.value("ar100", -1.0);
  m.val_images = j.value("val_images", int64_t{0});
  if (j.contains("per_class")) {
    for (const json& c : j.at("per_class")) {
      m.per_class.push_back(
          {c.at("class_name").get<std::string>(), c.value("ap", -1.0), c.value("ap50", -1.0)});
    }
  }
  if (j.contains("analysis")) m.analysis = ErrorAnalysisFromJson(j.at("analysis"));
  if (j.contains("autolabel")) m.autolabel = CalibrationFromJson(j.at("autolabel"));
  return m;
}

}  // namespace

std::optional<int64_t> ParseVersionNumber(absl::string_view name) {
  if (name.size() < 2 || name[0] != 'v') return std::nullopt;
  absl::string_view digits = name.substr(1);
  if (!std::all_of(digits.begin(), digits.end(), [](char c) { return absl::ascii_isdigit(c); })) {
    return std::nullopt;
  }
  // "v007" would make two names for one number.
  if (digits.size() > 1 && digits[0] == '0') return std::nullopt;
  int64_t number = 0;
  if (!absl::SimpleAtoi(digits, &number)) return std::nullopt;
  return number;
}

std::string VersionName(int64_t number) { return absl::StrCat("v", number); }

std::string ModelVersionToJson(const ModelVersionInfo& info) {
  json j = {{"format_version", info.format_version},
            {"version", info.version},
            {"parent_version", info.parent_version},
            {"job_id", info.job_id},
            {"created_unix_ms", info.created_unix_ms},
            {"train_labels", info.train_labels},
            {"val_labels", info.val_labels},
            {"class_names", info.class_names},
            {"metrics", MetricsToJson(info.metrics)},
            {"best_epoch", info.best_epoch},
            {"epochs", info.epochs},
            {"detector_config", info.detector_config},
            {"weights_file", kWeightsFileName},
            {"weights_bytes", info.weights_bytes},
            {"weights_sha256", info.weights_sha256}};
  return j.dump(2) + "\n";
}

absl::StatusOr<ModelVersionInfo> ModelVersionFromJson(absl::string_view text) {
  try {
    const json j = json::parse(text.begin(), text.end());
    if (!j.is_object()) return absl::InvalidArgumentError("model metadata is not a JSON object");
    ModelVersionInfo info;
    info.format_version = j.value("format_version", 1);
    if (info.format_version > ModelVersionInfo::kCurrentFormatVersion) {
      return absl::FailedPreconditionError(absl::StrCat(
          "model metadata format ", info.format_version, " is newer than this build reads (",
          ModelVersionInfo::kCurrentFormatVersion, ")"));
    }
    info.version = j.at("version").get<std::string>();
    info.parent_version = j.value("parent_version", "");
    info.job_id = j.value("job_id", int64_t{0});
    info.created_unix_ms = j.value("created_unix_ms", int64_t{0});
    info.train_labels = j.value("train_labels", int64_t{0});
    info.val_labels = j.value("val_labels", int64_t{0});
    info.class_names = j.value("class_names", std::vector<std::string>{});
    if (j.contains("metrics")) info.metrics = MetricsFromJson(j.at("metrics"));
    info.best_epoch = j.value("best_epoch", 0);
    info.epochs = j.value("epochs", 0);
    info.detector_config = j.value("detector_config", "");
    info.weights_bytes = j.value("weights_bytes", int64_t{0});
    info.weights_sha256 = j.value("weights_sha256", "");
    return info;
  } catch (const json::exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("malformed model metadata: ", e.what()));
  }
}

absl::StatusOr<ModelVersionInfo> ReadModelVersion(const std::string& dir) {
  const std::string path = (fs::path(dir) / kModelMetadataFileName).string();
  absl::StatusOr<std::string> text = ReadFileLimited(path, kMaxMetadataBytes);
  if (!text.ok()) {
    return absl::Status(text.status().code(),
                        absl::StrCat("model version ", dir, ": ", text.status().message()));
  }
  absl::StatusOr<ModelVersionInfo> info = ModelVersionFromJson(*text);
  if (!info.ok()) {
    return absl::Status(info.status().code(),
                        absl::StrCat("model version ", dir, ": ", info.status().message()));
  }
  fs::path normal = fs::path(dir).lexically_normal();
  if (normal.filename().empty()) normal = normal.parent_path();  // "models/v3/"
  const std::string folder = normal.filename().string();
  if (ParseVersionNumber(folder).has_value() && folder != info->version) {
    return absl::DataLossError(
        absl::StrCat("model version ", dir, ": metadata says version '", info->version, "'"));
  }
  std::error_code ec;
  if (!fs::is_regular_file(fs::path(dir) / kWeightsFileName, ec)) {
    return absl::DataLossError(
        absl::StrCat("model version ", dir, ": ", kWeightsFileName, " is missing"));
  }
  return info;
}

absl::StatusOr<std::vector<std::string>> ListModelVersions(const std::string& models_dir) {
  std::vector<std::pair<int64_t, std::string>> found;
  std::error_code ec;
  if (!fs::exists(models_dir, ec)) return std::vector<std::string>{};
  fs::directory_iterator it(models_dir, ec);
  if (ec) {
    return absl::InternalError(absl::StrCat("cannot list ", models_dir, ": ", ec.message()));
  }
  for (const fs::directory_entry& entry : it) {
    const std::string name = entry.path().filename().string();
    std::optional<int64_t> number = ParseVersionNumber(name);
    if (number.has_value() && entry.is_directory(ec)) found.emplace_back(*number, name);
  }
  std::sort(found.begin(), found.end());
  std::vector<std::string> names;
  names.reserve(found.size());
  for (auto& [number, name] : found) names.push_back(std::move(name));
  return names;
}

absl::Status RemoveIncompleteVersions(const std::string& models_dir) {
  std::error_code ec;
  if (!fs::exists(models_dir, ec)) return absl::OkStatus();
  fs::directory_iterator it(models_dir, ec);
  if (ec) {
    return absl::InternalError(absl::StrCat("cannot list ", models_dir, ": ", ec.message()));
  }
  std::vector<fs::path> leftovers;
  for (const fs::directory_entry& entry : it) {
    const std::string name = entry.path().filename().string();
    if (absl::StartsWith(name, "v") && absl::StrContains(name, ".tmp-")) {
      leftovers.push_back(entry.path());
    }
  }
  for (const fs::path& path : leftovers) {
    fs::remove_all(path, ec);
    if (ec) {
      return absl::InternalError(absl::StrCat("cannot remove ", path.string(), ": ", ec.message()));
    }
  }
  return absl::OkStatus();
}

v1::ModelMetrics ToModelMetricsProto(const ModelVersionInfo& info) {
  v1::ModelMetrics proto;
  const ModelVersionMetrics& m = info.metrics;
  proto.set_map(m.map);
  proto.set_map50(m.map50);
  proto.set_map75(m.map75);
  proto.set_map_small(m.map_small);
  proto.set_map_medium(m.map_medium);
  proto.set_map_large(m.map_large);
  proto.set_ar100(m.ar100);
  for (const ClassAp& c : m.per_class) {
    v1::ClassMetrics* out = proto.add_per_class();
    out->set_class_name(c.class_name);
    out->set_ap(c.ap);
    out->set_ap50(c.ap50);
  }
  proto.set_val_images(static_cast<int32_t>(m.val_images));
  proto.set_best_epoch(info.best_epoch);
  AddErrorAnalysisToProto(m.analysis, m.autolabel, info.class_names, &proto);
  return proto;
}

}  // namespace labelloop
