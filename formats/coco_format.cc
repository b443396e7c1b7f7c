#include "formats/coco_format.h"

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <map>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "formats/import_checks.h"
#include "formats/text_file.h"
#include "nlohmann/json.hpp"

namespace labelloop {
namespace {

using Json = nlohmann::json;

// The field, or nullptr when absent or null.
const Json* Find(const Json& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return nullptr;
  return &*it;
}

bool ReadInt(const Json& object, const char* key, int64_t* value) {
  const Json* field = Find(object, key);
  if (field == nullptr) return false;
  if (field->is_number_unsigned()) {
    if (field->get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) return false;
    *value = static_cast<int64_t>(field->get<uint64_t>());
    return true;
  }
  if (!field->is_number_integer()) return false;
  *value = field->get<int64_t>();
  return true;
}

absl::StatusOr<const Json*> RequireArray(const Json& root, const char* key, bool required) {
  const Json* value = Find(root, key);
  if (value == nullptr) {
    if (!required) return nullptr;
    return absl::InvalidArgumentError(absl::StrCat("\"", key, "\": missing; not a COCO file"));
  }
  if (!value->is_array()) {
    return absl::InvalidArgumentError(absl::StrCat("\"", key, "\": expected an array"));
  }
  return value;
}

std::string ImagePath(const std::string& images_dir, const std::string& file_name) {
  const std::filesystem::path name(file_name);
  if (name.is_absolute() || images_dir.empty()) return name.lexically_normal().string();
  return (std::filesystem::path(images_dir) / name).lexically_normal().string();
}

// Reads "images": their index in the dataset by COCO id.
absl::flat_hash_map<int64_t, size_t> ReadImages(const Json& images, const std::string& images_dir,
                                                FormatDataset* dataset, ImportReport* report) {
  absl::flat_hash_map<int64_t, size_t> index;
  for (size_t i = 0; i < images.size(); ++i) {
    const std::string where = absl::StrCat("images[", i, "]");
    const Json& item = images[i];
    int64_t id = 0;
    if (!item.is_object() || !ReadInt(item, "id", &id)) {
      report->Add(ImportIssue::kMalformedEntry, where, "not an object with an integer \"id\"");
      continue;
    }
    const Json* file_name = Find(item, "file_name");
    if (file_name == nullptr || !file_name->is_string() ||
        file_name->get_ref<const std::string&>().empty()) {
      report->Add(ImportIssue::kMalformedEntry, where, "no \"file_name\" string");
      continue;
    }
    int64_t width = 0, height = 0;
    const bool has_size = ReadInt(item, "width", &width) && ReadInt(item, "height", &height);
    if (!has_size || width <= 0 || height <= 0 || width > INT32_MAX || height > INT32_MAX) {
      // The size is only for checks; the daemon reads the real one from the file.
      width = height = 0;
    }
    if (!index.emplace(id, dataset->images.size()).second) {
      report->Add(ImportIssue::kMalformedEntry, where, absl::StrCat("duplicate image id ", id));
      continue;
    }
    FormatImage& image = dataset->images.emplace_back();
    image.file_name = file_name->get<std::string>();
    image.path = ImagePath(images_dir, image.file_name);
    image.width = static_cast<int>(width);
    image.height = static_cast<int>(height);
  }
  return index;
}

absl::flat_hash_map<int64_t, std::string> ReadCategories(const Json& categories,
                                                         FormatDataset* dataset,
                                                         ImportReport* report) {
  absl::flat_hash_map<int64_t, std::string> names;
  for (size_t i = 0; i < categories.size(); ++i) {
    const std::string where = absl::StrCat("categories[", i, "]");
    const Json& item = categories[i];
    int64_t id = 0;
    const Json* name = item.is_object() ? Find(item, "name") : nullptr;
    if (!item.is_object() || !ReadInt(item, "id", &id) || name == nullptr || !name->is_string() ||
        name->get_ref<const std::string&>().empty()) {
      report->Add(ImportIssue::kMalformedEntry, where,
                  "not an object with an integer \"id\" and a non-empty \"name\"");
      continue;
    }
    if (!names.emplace(id, name->get<std::string>()).second) {
      report->Add(ImportIssue::kMalformedEntry, where, absl::StrCat("duplicate category id ", id));
      continue;
    }
    if (id == 0) {
      report->Add(ImportIssue::kCategoryIdsFromZero, where,
                  absl::StrCat("category id 0 (\"", name->get<std::string>(),
                               "\") is a class here, not background; classes are matched by name"));
    }
    bool known = false;
    for (const std::string& existing : dataset->class_names) known |= existing == *name;
    if (!known) dataset->class_names.push_back(name->get<std::string>());
  }
  return names;
}

void ReadAnnotations(const Json& annotations, const absl::flat_hash_map<int64_t, size_t>& images,
                     const absl::flat_hash_map<int64_t, std::string>& categories,
                     FormatDataset* dataset, ImportReport* report) {
  for (size_t i = 0; i < annotations.size(); ++i) {
    const std::string where = absl::StrCat("annotations[", i, "]");
    const Json& item = annotations[i];
    int64_t image_id = 0, category_id = 0;
    if (!item.is_object() || !ReadInt(item, "image_id", &image_id) ||
        !ReadInt(item, "category_id", &category_id)) {
      report->Add(ImportIssue::kMalformedEntry, where,
                  "not an object with integer \"image_id\" and \"category_id\"");
      continue;
    }
    auto image = images.find(image_id);
    if (image == images.end()) {
      report->Add(ImportIssue::kUnknownImage, where,
                  absl::StrCat("image_id ", image_id, " is not in \"images\""));
      continue;
    }
    auto category = categories.find(category_id);
    if (category == categories.end()) {
      report->Add(ImportIssue::kUnknownCategory, where,
                  absl::StrCat("category_id ", category_id, " is not in \"categories\""));
      continue;
    }
    const Json* bbox = Find(item, "bbox");
    if (bbox == nullptr || !bbox->is_array() || bbox->size() != 4 || !(*bbox)[0].is_number() ||
        !(*bbox)[1].is_number() || !(*bbox)[2].is_number() || !(*bbox)[3].is_number()) {
      report->Add(ImportIssue::kMalformedEntry, where,
                  "\"bbox\" is not 4 numbers [x, y, width, height]");
      continue;
    }
    const Json* crowd = Find(item, "iscrowd");
    if (crowd != nullptr && ((crowd->is_boolean() && crowd->get<bool>()) ||
                             (crowd->is_number() && crowd->get<double>() != 0))) {
      report->Add(ImportIssue::kCrowdRegion, where, "iscrowd is set: a region, not a box");
      continue;
    }
    FormatBox box;
    const double x = (*bbox)[0].get<double>(), y = (*bbox)[1].get<double>();
    box.x1 = x;
    box.y1 = y;
    box.x2 = x + (*bbox)[2].get<double>();
    box.y2 = y + (*bbox)[3].get<double>();
    box.class_name = category->second;
    if (const Json* score = Find(item, "score"); score != nullptr) {
      if (!score->is_number() || !std::isfinite(score->get<double>())) {
        report->Add(ImportIssue::kMalformedEntry, where, "\"score\" is not a finite number");
        continue;
      }
      box.score = score->get<double>();
    }
    dataset->images[image->second].boxes.push_back(std::move(box));
  }
}

}  // namespace

absl::StatusOr<FormatDataset> ParseCocoJson(std::string_view json_text,
                                            const std::string& images_dir,
                                            const ImportOptions& options, ImportReport* report) {
  Json root;
  try {
    root = Json::parse(json_text.begin(), json_text.end());
  } catch (const Json::exception& error) {
    return absl::InvalidArgumentError(absl::StrCat("not valid JSON: ", error.what()));
  }
  if (!root.is_object()) {
    return absl::InvalidArgumentError("top level: expected a COCO object, got another JSON value");
  }
  absl::StatusOr<const Json*> images = RequireArray(root, "images", true);
  if (!images.ok()) return images.status();
  absl::StatusOr<const Json*> categories = RequireArray(root, "categories", true);
  if (!categories.ok()) return categories.status();
  absl::StatusOr<const Json*> annotations = RequireArray(root, "annotations", false);
  if (!annotations.ok()) return annotations.status();

  FormatDataset dataset;
  const absl::flat_hash_map<int64_t, size_t> image_index =
      ReadImages(**images, images_dir, &dataset, report);
  const absl::flat_hash_map<int64_t, std::string> category_names =
      ReadCategories(**categories, &dataset, report);
  if (*annotations != nullptr) {
    ReadAnnotations(**annotations, image_index, category_names, &dataset, report);
  }
  for (const FormatImage& image : dataset.images) {
    if (image.boxes.empty()) {
      report->Add(ImportIssue::kImageWithoutAnnotations, image.file_name,
                  "no annotations: imported as an image with no objects");
    }
  }
  CheckImportedDataset(options, &dataset, report);
  return dataset;
}

absl::StatusOr<FormatDataset> ReadCocoFile(const std::string& json_path,
                                           const ImportOptions& options, ImportReport* report) {
  absl::StatusOr<std::string> text = ReadTextFile(json_path);
  if (!text.ok()) return text.status();
  // Absolute, so that paths stay right for a daemon with another working folder.
  const std::string images_dir = options.images_dir.empty()
                                     ? std::filesystem::absolute(json_path).parent_path().string()
                                     : std::filesystem::absolute(options.images_dir).string();
  absl::StatusOr<FormatDataset> dataset = ParseCocoJson(*text, images_dir, options, report);
  if (!dataset.ok()) {
    return absl::Status(dataset.status().code(),
                        absl::StrCat(json_path, ": ", dataset.status().message()));
  }
  return dataset;
}

std::string CocoJson(const FormatDataset& dataset) {
  Json images = Json::array();
  Json annotations = Json::array();
  Json categories = Json::array();
  std::map<std::string, int64_t> category_ids;
  for (size_t i = 0; i < dataset.class_names.size(); ++i) {
    const int64_t id = static_cast<int64_t>(i) + 1;
    category_ids[dataset.class_names[i]] = id;
    categories.push_back({{"id", id}, {"name", dataset.class_names[i]}, {"supercategory", ""}});
  }
  int64_t annotation_id = 0;
  for (size_t i = 0; i < dataset.images.size(); ++i) {
    const FormatImage& image = dataset.images[i];
    const int64_t image_id = static_cast<int64_t>(i) + 1;
    images.push_back({{"id", image_id},
                      {"file_name", image.file_name},
                      {"width", image.width},
                      {"height", image.height}});
    for (const FormatBox& box : image.boxes) {
      auto category = category_ids.find(box.class_name);
      if (category == category_ids.end()) {
        // A class the list lacks still gets a category rather than losing the box.
        category = category_ids.emplace(box.class_name, category_ids.size() + 1).first;
        categories.push_back(
            {{"id", category->second}, {"name", box.class_name}, {"supercategory", ""}});
      }
      const double width = box.x2 - box.x1, height = box.y2 - box.y1;
      Json annotation = {
          {"id", ++annotation_id},           {"image_id", image_id},
          {"category_id", category->second}, {"bbox", {box.x1, box.y1, width, height}},
          {"area", width * height},          {"iscrowd", 0}};
      if (box.score.has_value()) annotation["score"] = *box.score;
      annotations.push_back(std::move(annotation));
    }
  }
  Json root = {{"images", std::move(images)},
               {"annotations", std::move(annotations)},
               {"categories", std::move(categories)}};
  return root.dump(-1, ' ', false, Json::error_handler_t::replace);
}

absl::Status WriteCocoFile(const FormatDataset& dataset, const std::string& json_path) {
  return WriteTextFile(json_path, CocoJson(dataset));
}

}  // namespace labelloop
