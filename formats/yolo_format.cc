#include "formats/yolo_format.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "common/image_header.h"
#include "formats/import_checks.h"
#include "formats/text_file.h"

namespace labelloop {
namespace {

namespace fs = std::filesystem;

bool IsImageFile(const fs::path& path) {
  const std::string extension = absl::AsciiStrToLower(path.extension().string());
  for (const char* known : {".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff"}) {
    if (extension == known) return true;
  }
  return false;
}

// Files under `dir` (recursively, hidden entries left out) that `keep` accepts, by name.
std::vector<fs::path> ListFiles(const fs::path& dir, bool (*keep)(const fs::path&)) {
  std::vector<fs::path> files;
  std::error_code error;
  for (fs::recursive_directory_iterator it(dir, error), end; !error && it != end;
       it.increment(error)) {
    if (it->path().filename().string().rfind('.', 0) == 0) {
      if (it->is_directory(error)) it.disable_recursion_pending();
      continue;
    }
    if (it->is_regular_file(error) && keep(it->path())) files.push_back(it->path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

bool IsLabelFile(const fs::path& path) {
  return path.extension() == ".txt" && path.filename() != "classes.txt";
}

std::string Number(double value) { return absl::StrFormat("%.9g", value); }

}  // namespace

std::vector<std::string> ParseYoloClassNames(std::string_view text) {
  std::vector<std::string> names;
  for (absl::string_view line : absl::StrSplit(absl::string_view(text.data(), text.size()), '\n')) {
    names.emplace_back(absl::StripAsciiWhitespace(line));
  }
  while (!names.empty() && names.back().empty()) names.pop_back();
  return names;
}

void ParseYoloLabels(std::string_view text, const std::string& where,
                     const std::vector<std::string>& class_names, FormatImage* image,
                     ImportReport* report) {
  int line_number = 0;
  for (absl::string_view line : absl::StrSplit(absl::string_view(text.data(), text.size()), '\n')) {
    ++line_number;
    std::vector<absl::string_view> fields =
        absl::StrSplit(line, absl::ByAnyChar(" \t\r"), absl::SkipEmpty());
    if (fields.empty()) continue;
    const std::string line_where = absl::StrCat(where, ":", line_number);
    int64_t class_index = -1;
    double v[5] = {0, 0, 0, 0, 0};
    bool numbers = fields.size() == 5 || fields.size() == 6;
    for (size_t i = 1; numbers && i < fields.size(); ++i) {
      numbers = absl::SimpleAtod(fields[i], &v[i - 1]) && std::isfinite(v[i - 1]);
    }
    if (!numbers || !absl::SimpleAtoi(fields[0], &class_index)) {
      report->Add(ImportIssue::kMalformedEntry, line_where,
                  "want \"CLASS CX CY W H [SCORE]\" with an integer class and finite numbers");
      continue;
    }
    if (class_index < 0 || class_index >= static_cast<int64_t>(class_names.size())) {
      report->Add(ImportIssue::kUnknownCategory, line_where,
                  absl::StrCat("class index ", class_index, " is not in the ", class_names.size(),
                               " class names"));
      continue;
    }
    FormatBox box;
    box.class_name = class_names[static_cast<size_t>(class_index)];
    box.x1 = (v[0] - v[2] / 2) * image->width;
    box.y1 = (v[1] - v[3] / 2) * image->height;
    box.x2 = (v[0] + v[2] / 2) * image->width;
    box.y2 = (v[1] + v[3] / 2) * image->height;
    if (fields.size() == 6) box.score = v[4];
    image->boxes.push_back(std::move(box));
  }
}

absl::StatusOr<FormatDataset> ReadYoloDataset(const std::string& root, const ImportOptions& options,
                                              ImportReport* report) {
  const fs::path base = fs::absolute(root);
  std::error_code error;
  if (!fs::is_directory(base, error)) {
    return absl::NotFoundError(absl::StrCat(root,
                                            ": not a folder (want a YOLO folder with "
                                            "classes.txt and images/ plus labels/)"));
  }
  FormatDataset dataset;
  for (const char* name : {"classes.txt", "obj.names"}) {
    if (!fs::is_regular_file(base / name, error)) continue;
    absl::StatusOr<std::string> text = ReadTextFile((base / name).string());
    if (!text.ok()) return text.status();
    dataset.class_names = ParseYoloClassNames(*text);
    break;
  }
  if (dataset.class_names.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(root, ": no class names (classes.txt or obj.names, one name per line)"));
  }
  const fs::path images_dir = !options.images_dir.empty() ? fs::absolute(options.images_dir)
                              : fs::is_directory(base / "images", error) ? base / "images"
                                                                         : base;
  const fs::path labels_dir =
      fs::is_directory(base / "labels", error) ? base / "labels" : images_dir;
  std::set<fs::path> labeled_stems;
  for (const fs::path& image_path : ListFiles(images_dir, &IsImageFile)) {
    const fs::path relative = image_path.lexically_relative(images_dir);
    const fs::path label_path = labels_dir / fs::path(relative).replace_extension(".txt");
    labeled_stems.insert(fs::path(relative).replace_extension());
    FormatImage image;
    image.path = image_path.string();
    image.file_name = relative.string();
    absl::StatusOr<std::string> bytes = ReadTextFile(image_path.string());
    std::optional<ImageDimensions> size;
    if (bytes.ok()) size = ReadImageDimensions(*bytes);
    const bool size_known = size.has_value() && size->width > 0 && size->height > 0 &&
                            size->width <= INT32_MAX && size->height <= INT32_MAX;
    if (size_known) {
      image.width = static_cast<int>(size->width);
      image.height = static_cast<int>(size->height);
    }
    if (!fs::is_regular_file(label_path, error)) {
      report->Add(ImportIssue::kImageWithoutAnnotations, image.file_name,
                  "no label file: imported as an image with no objects");
      dataset.images.push_back(std::move(image));
      continue;
    }
    const std::string where = label_path.lexically_relative(base).string();
    absl::StatusOr<std::string> labels = ReadTextFile(label_path.string());
    if (!labels.ok()) {
      report->Add(ImportIssue::kMalformedEntry, where, std::string(labels.status().message()));
      continue;
    }
    if (!size_known) {
      if (absl::StripAsciiWhitespace(*labels).empty()) {
        dataset.images.push_back(std::move(image));
      } else {
        report->Add(ImportIssue::kUnreadableImage, image.file_name,
                    "its size cannot be read from the file (JPEG and PNG are read), which YOLO's "
                    "relative boxes need; image and boxes dropped");
      }
      continue;
    }
    ParseYoloLabels(*labels, where, dataset.class_names, &image, report);
    if (image.boxes.empty()) {
      report->Add(ImportIssue::kImageWithoutAnnotations, image.file_name,
                  "empty label file: imported as an image with no objects");
    }
    dataset.images.push_back(std::move(image));
  }
  if (labels_dir != images_dir) {
    for (const fs::path& label_path : ListFiles(labels_dir, &IsLabelFile)) {
      const fs::path stem = label_path.lexically_relative(labels_dir).replace_extension();
      if (labeled_stems.count(stem) == 0) {
        report->Add(ImportIssue::kMissingImageFile, label_path.lexically_relative(base).string(),
                    absl::StrCat("no image ", stem.string(), ".* in ", images_dir.string(),
                                 "; its boxes dropped"));
      }
    }
  }
  // Files are known to exist; the shared checks handle boxes.
  ImportOptions checks = options;
  checks.check_image_files = false;
  CheckImportedDataset(checks, &dataset, report);
  return dataset;
}

std::string YoloLabels(const FormatImage& image, const std::vector<std::string>& class_names) {
  std::string text;
  for (const FormatBox& box : image.boxes) {
    auto it = std::find(class_names.begin(), class_names.end(), box.class_name);
    if (it == class_names.end()) continue;
    const double width = image.width, height = image.height;
    absl::StrAppend(&text, it - class_names.begin(), " ", Number((box.x1 + box.x2) / 2 / width),
                    " ", Number((box.y1 + box.y2) / 2 / height), " ",
                    Number((box.x2 - box.x1) / width), " ", Number((box.y2 - box.y1) / height));
    if (box.score.has_value()) absl::StrAppend(&text, " ", Number(*box.score));
    absl::StrAppend(&text, "\n");
  }
  return text;
}

absl::Status WriteYoloDataset(const FormatDataset& dataset, const std::string& out_dir) {
  std::vector<std::string> class_names = dataset.class_names;
  for (const FormatImage& image : dataset.images) {
    if ((image.width <= 0 || image.height <= 0) && !image.boxes.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(image.file_name, ": image size unknown; YOLO boxes are relative to it"));
    }
    for (const FormatBox& box : image.boxes) {
      if (std::find(class_names.begin(), class_names.end(), box.class_name) == class_names.end()) {
        class_names.push_back(box.class_name);
      }
    }
  }
  const fs::path base(out_dir);
  std::string names;
  for (const std::string& name : class_names) absl::StrAppend(&names, name, "\n");
  absl::Status status = WriteTextFile((base / "classes.txt").string(), names);
  if (!status.ok()) return status;
  for (const FormatImage& image : dataset.images) {
    const fs::path label = base / "labels" / fs::path(image.file_name).replace_extension(".txt");
    status = WriteTextFile(label.string(), YoloLabels(image, class_names));
    if (!status.ok()) return status;
  }
  return absl::OkStatus();
}

}  // namespace labelloop
