#include "formats/voc_format.h"

#include <algorithm>
#include <filesystem>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "formats/import_checks.h"
#include "formats/text_file.h"

namespace labelloop {
namespace {

namespace fs = std::filesystem;

// The text of the first <tag>...</tag> in `xml`. VOC files are flat and machine-written, so a
// tag search is enough; a full XML parser would be a new dependency for no gain here.
bool FindTag(std::string_view xml, std::string_view tag, std::string_view* text,
             size_t* end = nullptr, size_t from = 0) {
  const std::string open = "<" + std::string(tag) + ">";
  const std::string close = "</" + std::string(tag) + ">";
  size_t start = xml.find(open, from);
  if (start == std::string_view::npos) return false;
  start += open.size();
  const size_t stop = xml.find(close, start);
  if (stop == std::string_view::npos) return false;
  *text = xml.substr(start, stop - start);
  if (end != nullptr) *end = stop + close.size();
  return true;
}

std::string Unescape(std::string_view text) {
  return absl::StrReplaceAll(
      absl::StripAsciiWhitespace(absl::string_view(text.data(), text.size())),
      {{"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&apos;", "'"}, {"&amp;", "&"}});
}

std::string Escape(const std::string& text) {
  return absl::StrReplaceAll(
      text, {{"&", "&amp;"}, {"<", "&lt;"}, {">", "&gt;"}, {"\"", "&quot;"}, {"'", "&apos;"}});
}

bool TagNumber(std::string_view xml, std::string_view tag, double* value) {
  std::string_view text;
  if (!FindTag(xml, tag, &text)) return false;
  return absl::SimpleAtod(absl::StripAsciiWhitespace(absl::string_view(text.data(), text.size())),
                          value);
}

std::string Number(double value) { return absl::StrFormat("%.9g", value); }

}  // namespace

bool ParseVocXml(std::string_view xml, const std::string& where, const std::string& images_dir,
                 FormatDataset* dataset, ImportReport* report) {
  std::string_view annotation;
  if (!FindTag(xml, "annotation", &annotation)) {
    report->Add(ImportIssue::kMalformedEntry, where, "no <annotation> element; not a VOC file");
    return false;
  }
  FormatImage image;
  std::string_view file_name;
  if (FindTag(annotation, "filename", &file_name) && !Unescape(file_name).empty()) {
    image.file_name = Unescape(file_name);
  } else {
    image.file_name = absl::StrCat(fs::path(where).stem().string(), ".jpg");
  }
  image.path = (fs::path(images_dir) / image.file_name).lexically_normal().string();
  std::string_view size;
  double width = 0, height = 0;
  if (FindTag(annotation, "size", &size) && TagNumber(size, "width", &width) &&
      TagNumber(size, "height", &height) && width > 0 && height > 0 && width < 1e9 &&
      height < 1e9) {
    image.width = static_cast<int>(width);
    image.height = static_cast<int>(height);
  }
  size_t from = 0;
  std::string_view object;
  for (int index = 0; FindTag(annotation, "object", &object, &from, from); ++index) {
    const std::string object_where = absl::StrCat(where, ": object ", index);
    std::string_view name, bndbox;
    if (!FindTag(object, "name", &name) || Unescape(name).empty()) {
      report->Add(ImportIssue::kMalformedEntry, object_where, "no <name>");
      continue;
    }
    FormatBox box;
    double xmin = 0, ymin = 0, xmax = 0, ymax = 0;
    if (!FindTag(object, "bndbox", &bndbox) || !TagNumber(bndbox, "xmin", &xmin) ||
        !TagNumber(bndbox, "ymin", &ymin) || !TagNumber(bndbox, "xmax", &xmax) ||
        !TagNumber(bndbox, "ymax", &ymax)) {
      report->Add(ImportIssue::kMalformedEntry, object_where,
                  "no <bndbox> with numeric xmin, ymin, xmax, ymax");
      continue;
    }
    box.class_name = Unescape(name);
    box.x1 = xmin - 1;
    box.y1 = ymin - 1;
    box.x2 = xmax;
    box.y2 = ymax;
    double score = 0;
    if (TagNumber(object, "score", &score)) box.score = score;
    if (std::find(dataset->class_names.begin(), dataset->class_names.end(), box.class_name) ==
        dataset->class_names.end()) {
      dataset->class_names.push_back(box.class_name);
    }
    image.boxes.push_back(std::move(box));
  }
  if (image.boxes.empty()) {
    report->Add(ImportIssue::kImageWithoutAnnotations, where,
                "no objects: imported as an image with no objects");
  }
  dataset->images.push_back(std::move(image));
  return true;
}

absl::StatusOr<FormatDataset> ReadVocDataset(const std::string& root, const std::string& image_set,
                                             const ImportOptions& options, ImportReport* report) {
  const fs::path base = fs::absolute(root);
  std::error_code error;
  if (!fs::is_directory(base, error)) {
    return absl::NotFoundError(absl::StrCat(root,
                                            ": not a folder (want a VOC folder with "
                                            "Annotations/, or a folder of XML files)"));
  }
  const fs::path xml_dir =
      fs::is_directory(base / "Annotations", error) ? base / "Annotations" : base;
  std::string images_dir =
      options.images_dir.empty() ? "" : fs::absolute(options.images_dir).string();
  if (images_dir.empty()) {
    images_dir = fs::is_directory(base / "JPEGImages", error) ? (base / "JPEGImages").string()
                                                              : xml_dir.string();
  }
  std::vector<fs::path> xml_files;
  if (image_set.empty()) {
    for (const fs::directory_entry& entry : fs::directory_iterator(xml_dir, error)) {
      if (entry.path().extension() == ".xml") xml_files.push_back(entry.path());
    }
    if (error) return absl::NotFoundError(absl::StrCat(xml_dir.string(), ": ", error.message()));
    std::sort(xml_files.begin(), xml_files.end());
  } else {
    absl::StatusOr<std::string> list =
        ReadTextFile((base / "ImageSets" / "Main" / (image_set + ".txt")).string());
    if (!list.ok()) return list.status();
    // One stem per line; stems may hold spaces.
    std::istringstream lines(*list);
    std::string line;
    while (std::getline(lines, line)) {
      const std::string stem(absl::StripAsciiWhitespace(line));
      if (!stem.empty()) xml_files.push_back(xml_dir / (stem + ".xml"));
    }
  }
  if (xml_files.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(xml_dir.string(), ": no .xml files"));
  }
  FormatDataset dataset;
  for (const fs::path& path : xml_files) {
    const std::string where = path.lexically_relative(base).string();
    absl::StatusOr<std::string> xml = ReadTextFile(path.string());
    if (!xml.ok()) {
      report->Add(ImportIssue::kMalformedEntry, where, std::string(xml.status().message()));
      continue;
    }
    ParseVocXml(*xml, where, images_dir, &dataset, report);
  }
  CheckImportedDataset(options, &dataset, report);
  return dataset;
}

std::string VocXml(const FormatImage& image) {
  std::string xml = absl::StrCat("<annotation>\n\t<folder>JPEGImages</folder>\n\t<filename>",
                                 Escape(image.file_name), "</filename>\n\t<size>\n\t\t<width>",
                                 image.width, "</width>\n\t\t<height>", image.height,
                                 "</height>\n\t\t<depth>3</depth>\n\t</size>\n\t<segmented>0"
                                 "</segmented>\n");
  for (const FormatBox& box : image.boxes) {
    absl::StrAppend(&xml, "\t<object>\n\t\t<name>", Escape(box.class_name),
                    "</name>\n\t\t<pose>Unspecified</pose>\n\t\t<truncated>0</truncated>\n"
                    "\t\t<difficult>0</difficult>\n");
    if (box.score.has_value())
      absl::StrAppend(&xml, "\t\t<score>", Number(*box.score), "</score>\n");
    absl::StrAppend(&xml, "\t\t<bndbox>\n\t\t\t<xmin>", Number(box.x1 + 1), "</xmin>\n\t\t\t<ymin>",
                    Number(box.y1 + 1), "</ymin>\n\t\t\t<xmax>", Number(box.x2),
                    "</xmax>\n\t\t\t<ymax>", Number(box.y2),
                    "</ymax>\n\t\t</bndbox>\n\t</object>\n");
  }
  absl::StrAppend(&xml, "</annotation>\n");
  return xml;
}

absl::Status WriteVocDataset(const FormatDataset& dataset, const std::string& out_dir) {
  const fs::path base(out_dir);
  std::string list;
  for (const FormatImage& image : dataset.images) {
    const std::string stem = fs::path(image.file_name).stem().string();
    absl::Status status =
        WriteTextFile((base / "Annotations" / (stem + ".xml")).string(), VocXml(image));
    if (!status.ok()) return status;
    absl::StrAppend(&list, stem, "\n");
  }
  return WriteTextFile((base / "ImageSets" / "Main" / "all.txt").string(), list);
}

}  // namespace labelloop
