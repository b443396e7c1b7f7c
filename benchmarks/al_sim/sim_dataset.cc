#include "benchmarks/al_sim/sim_dataset.h"

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "trainer/coco_json.h"

namespace labelloop {
namespace {

absl::StatusOr<std::string> ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot open ", path));
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// The text of the first <tag>...</tag> at or after `from` in `xml`, and where it ends. VOC files
// are flat and machine-written, so this is enough; a full XML parser would be a new dependency.
bool FindTag(const std::string& xml, const std::string& tag, size_t from, std::string* text,
             size_t* end) {
  const std::string open = "<" + tag + ">";
  const std::string close = "</" + tag + ">";
  size_t start = xml.find(open, from);
  if (start == std::string::npos) return false;
  start += open.size();
  size_t stop = xml.find(close, start);
  if (stop == std::string::npos) return false;
  *text = xml.substr(start, stop - start);
  *end = stop + close.size();
  return true;
}

absl::StatusOr<double> TagNumber(const std::string& xml, const std::string& tag,
                                 const std::string& where) {
  std::string text;
  size_t end = 0;
  if (!FindTag(xml, tag, 0, &text, &end)) {
    return absl::InvalidArgumentError(absl::StrCat(where, ": no <", tag, ">"));
  }
  try {
    return std::stod(std::string(absl::StripAsciiWhitespace(text)));
  } catch (const std::exception&) {
    return absl::InvalidArgumentError(absl::StrCat(where, ": <", tag, "> is not a number"));
  }
}

}  // namespace

absl::StatusOr<SimDataset> LoadCocoDataset(const std::string& annotations_path,
                                           const std::string& images_dir) {
  absl::StatusOr<CocoGroundTruth> coco = LoadCocoGroundTruthJson(annotations_path);
  if (!coco.ok()) return coco.status();
  SimDataset dataset;
  std::map<int64_t, std::string> names;
  for (const CocoCategory& category : coco->categories) {
    names[category.id] = category.name;
    dataset.class_names.push_back(category.name);
  }
  std::map<int64_t, size_t> index;
  const std::filesystem::path root = std::filesystem::absolute(images_dir);
  for (const CocoImage& image : coco->images) {
    index[image.id] = dataset.images.size();
    dataset.images.push_back({(root / image.file_name).string(), image.width, image.height, {}});
  }
  for (const CocoAnnotation& a : coco->annotations) {
    if (a.iscrowd) continue;  // A crowd region is not a box an annotator would draw.
    dataset.images[index.at(a.image_id)].boxes.push_back(
        {a.bbox.x, a.bbox.y, a.bbox.x + a.bbox.width, a.bbox.y + a.bbox.height,
         names.at(a.category_id)});
  }
  return dataset;
}

absl::StatusOr<SimDataset> LoadVocDataset(const std::string& root, const std::string& image_set) {
  const std::filesystem::path base = std::filesystem::absolute(root);
  absl::StatusOr<std::string> list =
      ReadText((base / "ImageSets" / "Main" / (image_set + ".txt")).string());
  if (!list.ok()) return list.status();
  SimDataset dataset;
  std::istringstream lines(*list);
  std::string stem;
  while (lines >> stem) {
    const std::string xml_path = (base / "Annotations" / (stem + ".xml")).string();
    absl::StatusOr<std::string> xml = ReadText(xml_path);
    if (!xml.ok()) return xml.status();
    SimImage image;
    std::string file_name;
    size_t end = 0;
    if (!FindTag(*xml, "filename", 0, &file_name, &end)) file_name = stem + ".jpg";
    image.path =
        (base / "JPEGImages" / std::string(absl::StripAsciiWhitespace(file_name))).string();
    absl::StatusOr<double> width = TagNumber(*xml, "width", xml_path);
    absl::StatusOr<double> height = TagNumber(*xml, "height", xml_path);
    if (!width.ok()) return width.status();
    if (!height.ok()) return height.status();
    image.width = static_cast<int>(*width);
    image.height = static_cast<int>(*height);
    std::string object;
    size_t from = 0;
    while (FindTag(*xml, "object", from, &object, &from)) {
      SimBox box;
      size_t unused = 0;
      if (!FindTag(object, "name", 0, &box.class_name, &unused)) {
        return absl::InvalidArgumentError(absl::StrCat(xml_path, ": an object has no <name>"));
      }
      box.class_name = std::string(absl::StripAsciiWhitespace(box.class_name));
      absl::StatusOr<double> x1 = TagNumber(object, "xmin", xml_path);
      absl::StatusOr<double> y1 = TagNumber(object, "ymin", xml_path);
      absl::StatusOr<double> x2 = TagNumber(object, "xmax", xml_path);
      absl::StatusOr<double> y2 = TagNumber(object, "ymax", xml_path);
      for (const auto* v : {&x1, &y1, &x2, &y2}) {
        if (!v->ok()) return v->status();
      }
      // VOC pixel indices are 1-based and inclusive; corners as the daemon takes them are not.
      box.x1 = *x1 - 1;
      box.y1 = *y1 - 1;
      box.x2 = *x2;
      box.y2 = *y2;
      if (box.x2 <= box.x1 || box.y2 <= box.y1) continue;  // BCCD has a few empty boxes.
      bool known = false;
      for (const std::string& name : dataset.class_names) known |= name == box.class_name;
      if (!known) dataset.class_names.push_back(box.class_name);
      image.boxes.push_back(box);
    }
    dataset.images.push_back(std::move(image));
  }
  if (dataset.images.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(root, ": image set ", image_set, " is empty"));
  }
  return dataset;
}

}  // namespace labelloop
