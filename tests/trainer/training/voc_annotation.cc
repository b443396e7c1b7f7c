#include "tests/trainer/training/voc_annotation.h"

#include <fstream>
#include <sstream>

namespace labelloop {
namespace testing {
namespace {

// The text between <tag> and </tag> at or after `from`; npos-safe.
std::string Tag(const std::string& xml, const std::string& tag, size_t from = 0,
                size_t* end = nullptr) {
  const std::string open = "<" + tag + ">";
  const std::string close = "</" + tag + ">";
  const size_t begin = xml.find(open, from);
  if (begin == std::string::npos) return "";
  const size_t stop = xml.find(close, begin);
  if (stop == std::string::npos) return "";
  if (end != nullptr) *end = stop + close.size();
  std::string value = xml.substr(begin + open.size(), stop - begin - open.size());
  const size_t first = value.find_first_not_of(" \t\r\n");
  const size_t last = value.find_last_not_of(" \t\r\n");
  return first == std::string::npos ? "" : value.substr(first, last - first + 1);
}

}  // namespace

bool ReadVocAnnotation(const std::string& path, VocAnnotation* out) {
  std::ifstream in(path);
  if (!in) return false;
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string xml = buffer.str();
  out->filename = Tag(xml, "filename");
  const std::string size = Tag(xml, "size");
  try {
    out->width = std::stoi(Tag(size, "width"));
    out->height = std::stoi(Tag(size, "height"));
    size_t pos = 0;
    while (true) {
      size_t end = 0;
      const std::string object = Tag(xml, "object", pos, &end);
      if (object.empty()) break;
      pos = end;
      VocObject o;
      o.name = Tag(object, "name");
      const std::string box = Tag(object, "bndbox");
      o.xmin = std::stof(Tag(box, "xmin"));
      o.ymin = std::stof(Tag(box, "ymin"));
      o.xmax = std::stof(Tag(box, "xmax"));
      o.ymax = std::stof(Tag(box, "ymax"));
      out->objects.push_back(o);
    }
  } catch (const std::exception&) {
    return false;
  }
  return !out->filename.empty();
}

}  // namespace testing
}  // namespace labelloop
