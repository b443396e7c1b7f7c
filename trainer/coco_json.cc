#include "trainer/coco_json.h"

#include <array>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <limits>
#include <sstream>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "nlohmann/json.hpp"

namespace labelloop {
namespace {

using Json = nlohmann::json;

std::string TypeName(const Json& value) {
  if (value.is_number_integer()) return "an integer";
  if (value.is_number_float()) return "a floating-point number";
  if (value.is_string()) return "a string";
  if (value.is_boolean()) return "a boolean";
  if (value.is_null()) return "null";
  if (value.is_array()) return "an array";
  return "an object";
}

absl::Status FieldError(absl::string_view field, absl::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", problem));
}

absl::Status WrongType(absl::string_view field, absl::string_view expected, const Json& value) {
  return FieldError(field, absl::StrCat("expected ", expected, ", got ", TypeName(value)));
}

absl::StatusOr<Json> ParseJson(std::string_view text) {
  try {
    return Json::parse(text.begin(), text.end());
  } catch (const Json::parse_error& error) {
    return absl::InvalidArgumentError(absl::StrCat("not valid JSON: ", error.what()));
  }
}

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot open ", path));
  std::ostringstream contents;
  contents << in.rdbuf();
  if (in.bad()) return absl::DataLossError(absl::StrCat("cannot read ", path));
  return contents.str();
}

// The field of `object` named `key`, or nullptr when absent (null counts as absent).
const Json* Find(const Json& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return nullptr;
  return &*it;
}

absl::StatusOr<int64_t> ReadId(const Json& object, const std::string& where, const char* key) {
  const std::string field = absl::StrCat(where, ".", key);
  const Json* value = Find(object, key);
  if (value == nullptr) return FieldError(field, "missing");
  if (value->is_number_unsigned()) {
    if (value->get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return FieldError(field, "too large");
    }
    return static_cast<int64_t>(value->get<uint64_t>());
  }
  if (value->is_number_integer()) return value->get<int64_t>();
  return WrongType(field, "an integer", *value);
}

absl::StatusOr<double> ReadFiniteNumber(const Json& value, const std::string& field) {
  if (!value.is_number()) return WrongType(field, "a number", value);
  const double number = value.get<double>();
  if (!std::isfinite(number)) return FieldError(field, "not a finite number");
  return number;
}

// COCO writes flags as 0/1; booleans are accepted too.
absl::StatusOr<bool> ReadOptionalFlag(const Json& object, const std::string& where,
                                      const char* key) {
  const std::string field = absl::StrCat(where, ".", key);
  const Json* value = Find(object, key);
  if (value == nullptr) return false;
  if (value->is_boolean()) return value->get<bool>();
  if (value->is_number_integer()) {
    const int64_t flag = value->get<int64_t>();
    if (flag == 0 || flag == 1) return flag == 1;
  }
  return FieldError(field, "expected 0, 1, true or false");
}

absl::StatusOr<std::string> ReadOptionalString(const Json& object, const std::string& where,
                                               const char* key) {
  const Json* value = Find(object, key);
  if (value == nullptr) return std::string();
  if (!value->is_string()) return WrongType(absl::StrCat(where, ".", key), "a string", *value);
  return value->get<std::string>();
}

absl::StatusOr<CocoBox> ReadBox(const Json& object, const std::string& where) {
  const std::string field = absl::StrCat(where, ".bbox");
  const Json* value = Find(object, "bbox");
  if (value == nullptr) return FieldError(field, "missing");
  if (!value->is_array() || value->size() != 4) {
    return WrongType(field, "an array of 4 numbers [x, y, width, height]", *value);
  }
  double v[4];
  for (int i = 0; i < 4; ++i) {
    absl::StatusOr<double> number = ReadFiniteNumber((*value)[i], absl::StrCat(field, "[", i, "]"));
    if (!number.ok()) return number.status();
    v[i] = *number;
  }
  if (v[2] < 0) return FieldError(absl::StrCat(field, "[2]"), "width must be >= 0");
  if (v[3] < 0) return FieldError(absl::StrCat(field, "[3]"), "height must be >= 0");
  return CocoBox{v[0], v[1], v[2], v[3]};
}

const Json* FindArray(const Json& root, const char* key, absl::Status& error, bool required) {
  const Json* value = Find(root, key);
  if (value == nullptr) {
    if (required) error = FieldError(key, "missing");
    return nullptr;
  }
  if (!value->is_array()) {
    error = WrongType(key, "an array", *value);
    return nullptr;
  }
  return value;
}

absl::Status ReadImages(const Json& images, CocoGroundTruth& out) {
  absl::flat_hash_set<int64_t> seen;
  for (size_t i = 0; i < images.size(); ++i) {
    const std::string where = absl::StrCat("images[", i, "]");
    const Json& item = images[i];
    if (!item.is_object()) return WrongType(where, "an object", item);
    CocoImage image;
    absl::StatusOr<int64_t> id = ReadId(item, where, "id");
    if (!id.ok()) return id.status();
    image.id = *id;
    if (!seen.insert(image.id).second) {
      return FieldError(absl::StrCat(where, ".id"), absl::StrCat("duplicate image id ", image.id));
    }
    absl::StatusOr<std::string> file_name = ReadOptionalString(item, where, "file_name");
    if (!file_name.ok()) return file_name.status();
    image.file_name = *std::move(file_name);
    for (const char* key : {"width", "height"}) {
      const Json* value = Find(item, key);
      if (value == nullptr) continue;
      if (!value->is_number_integer() || value->get<int64_t>() < 0 ||
          value->get<int64_t>() > std::numeric_limits<int>::max()) {
        return WrongType(absl::StrCat(where, ".", key), "a non-negative integer", *value);
      }
      (key[0] == 'w' ? image.width : image.height) = value->get<int>();
    }
    out.images.push_back(std::move(image));
  }
  return absl::OkStatus();
}

absl::Status ReadCategories(const Json& categories, CocoGroundTruth& out) {
  absl::flat_hash_set<int64_t> seen;
  for (size_t i = 0; i < categories.size(); ++i) {
    const std::string where = absl::StrCat("categories[", i, "]");
    const Json& item = categories[i];
    if (!item.is_object()) return WrongType(where, "an object", item);
    CocoCategory category;
    absl::StatusOr<int64_t> id = ReadId(item, where, "id");
    if (!id.ok()) return id.status();
    category.id = *id;
    if (!seen.insert(category.id).second) {
      return FieldError(absl::StrCat(where, ".id"),
                        absl::StrCat("duplicate category id ", category.id));
    }
    absl::StatusOr<std::string> name = ReadOptionalString(item, where, "name");
    if (!name.ok()) return name.status();
    category.name = *std::move(name);
    out.categories.push_back(std::move(category));
  }
  return absl::OkStatus();
}

absl::Status ReadAnnotations(const Json& annotations, CocoGroundTruth& out) {
  absl::flat_hash_set<int64_t> image_ids;
  for (const CocoImage& image : out.images) image_ids.insert(image.id);
  absl::flat_hash_set<int64_t> category_ids;
  for (const CocoCategory& category : out.categories) category_ids.insert(category.id);
  absl::flat_hash_set<int64_t> seen;
  for (size_t i = 0; i < annotations.size(); ++i) {
    const std::string where = absl::StrCat("annotations[", i, "]");
    const Json& item = annotations[i];
    if (!item.is_object()) return WrongType(where, "an object", item);
    CocoAnnotation annotation;
    absl::StatusOr<int64_t> id = ReadId(item, where, "id");
    if (!id.ok()) return id.status();
    annotation.id = *id;
    if (!seen.insert(annotation.id).second) {
      return FieldError(absl::StrCat(where, ".id"),
                        absl::StrCat("duplicate annotation id ", annotation.id));
    }
    absl::StatusOr<int64_t> image_id = ReadId(item, where, "image_id");
    if (!image_id.ok()) return image_id.status();
    if (!image_ids.contains(*image_id)) {
      return FieldError(absl::StrCat(where, ".image_id"),
                        absl::StrCat(*image_id, " is not the id of any entry of images"));
    }
    annotation.image_id = *image_id;
    absl::StatusOr<int64_t> category_id = ReadId(item, where, "category_id");
    if (!category_id.ok()) return category_id.status();
    if (!category_ids.contains(*category_id)) {
      return FieldError(absl::StrCat(where, ".category_id"),
                        absl::StrCat(*category_id, " is not the id of any entry of categories"));
    }
    annotation.category_id = *category_id;
    absl::StatusOr<CocoBox> box = ReadBox(item, where);
    if (!box.ok()) return box.status();
    annotation.bbox = *box;
    if (const Json* area = Find(item, "area"); area != nullptr) {
      absl::StatusOr<double> value = ReadFiniteNumber(*area, absl::StrCat(where, ".area"));
      if (!value.ok()) return value.status();
      if (*value < 0) return FieldError(absl::StrCat(where, ".area"), "must be >= 0");
      annotation.area = *value;
    }
    absl::StatusOr<bool> iscrowd = ReadOptionalFlag(item, where, "iscrowd");
    if (!iscrowd.ok()) return iscrowd.status();
    annotation.iscrowd = *iscrowd;
    absl::StatusOr<bool> ignore = ReadOptionalFlag(item, where, "ignore");
    if (!ignore.ok()) return ignore.status();
    annotation.ignore = *ignore;
    out.annotations.push_back(annotation);
  }
  return absl::OkStatus();
}

absl::Status WithPath(const absl::Status& status, const std::string& path) {
  return absl::Status(status.code(), absl::StrCat(path, ": ", status.message()));
}

}  // namespace

absl::StatusOr<CocoGroundTruth> ParseCocoGroundTruthJson(std::string_view json_text) {
  absl::StatusOr<Json> root = ParseJson(json_text);
  if (!root.ok()) return root.status();
  if (!root->is_object()) return WrongType("top level", "an object", *root);
  absl::Status error;
  const Json* images = FindArray(*root, "images", error, /*required=*/true);
  if (!error.ok()) return error;
  const Json* categories = FindArray(*root, "categories", error, /*required=*/true);
  if (!error.ok()) return error;
  const Json* annotations = FindArray(*root, "annotations", error, /*required=*/false);
  if (!error.ok()) return error;
  CocoGroundTruth ground_truth;
  if (absl::Status status = ReadImages(*images, ground_truth); !status.ok()) return status;
  if (absl::Status status = ReadCategories(*categories, ground_truth); !status.ok()) {
    return status;
  }
  if (annotations != nullptr) {
    if (absl::Status status = ReadAnnotations(*annotations, ground_truth); !status.ok()) {
      return status;
    }
  }
  return ground_truth;
}

absl::StatusOr<CocoGroundTruth> LoadCocoGroundTruthJson(const std::string& path) {
  absl::StatusOr<std::string> text = ReadFile(path);
  if (!text.ok()) return text.status();
  absl::StatusOr<CocoGroundTruth> ground_truth = ParseCocoGroundTruthJson(*text);
  if (!ground_truth.ok()) return WithPath(ground_truth.status(), path);
  return ground_truth;
}

absl::StatusOr<std::vector<CocoDetection>> ParseCocoDetectionsJson(std::string_view json_text) {
  absl::StatusOr<Json> root = ParseJson(json_text);
  if (!root.ok()) return root.status();
  if (!root->is_array()) return WrongType("top level", "an array of detections", *root);
  std::vector<CocoDetection> detections;
  detections.reserve(root->size());
  for (size_t i = 0; i < root->size(); ++i) {
    const std::string where = absl::StrCat("[", i, "]");
    const Json& item = (*root)[i];
    if (!item.is_object()) return WrongType(where, "an object", item);
    CocoDetection detection;
    absl::StatusOr<int64_t> image_id = ReadId(item, where, "image_id");
    if (!image_id.ok()) return image_id.status();
    detection.image_id = *image_id;
    absl::StatusOr<int64_t> category_id = ReadId(item, where, "category_id");
    if (!category_id.ok()) return category_id.status();
    detection.category_id = *category_id;
    absl::StatusOr<CocoBox> box = ReadBox(item, where);
    if (!box.ok()) return box.status();
    detection.bbox = *box;
    const Json* score = Find(item, "score");
    if (score == nullptr) return FieldError(absl::StrCat(where, ".score"), "missing");
    absl::StatusOr<double> value = ReadFiniteNumber(*score, absl::StrCat(where, ".score"));
    if (!value.ok()) return value.status();
    detection.score = *value;
    detections.push_back(detection);
  }
  return detections;
}

absl::StatusOr<std::vector<CocoDetection>> LoadCocoDetectionsJson(const std::string& path) {
  absl::StatusOr<std::string> text = ReadFile(path);
  if (!text.ok()) return text.status();
  absl::StatusOr<std::vector<CocoDetection>> detections = ParseCocoDetectionsJson(*text);
  if (!detections.ok()) return WithPath(detections.status(), path);
  return detections;
}

std::string CocoEvalResultToJson(const CocoEvalResult& result) {
  Json out = Json::object();
  const char* const kNames[12] = {"map", "map50", "map75", "map_small", "map_medium", "map_large",
                                  "ar1", "ar10",  "ar100", "ar_small",  "ar_medium",  "ar_large"};
  const std::array<double, 12> stats = result.stats();
  for (int i = 0; i < 12; ++i) out[kNames[i]] = stats[i];
  Json per_class = Json::array();
  for (const CocoClassResult& c : result.per_class) {
    per_class.push_back({{"category_id", c.category_id},
                         {"name", c.name},
                         {"ap", c.ap},
                         {"ap50", c.ap50},
                         {"num_ground_truth", c.num_ground_truth}});
  }
  out["per_class"] = std::move(per_class);
  out["skipped_detections"] = result.skipped_detections;
  return out.dump();
}

}  // namespace labelloop
