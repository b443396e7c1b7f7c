#ifndef LABELLOOP_TESTS_TRAINER_TRAINING_VOC_ANNOTATION_H_
#define LABELLOOP_TESTS_TRAINER_TRAINING_VOC_ANNOTATION_H_

#include <string>
#include <vector>

namespace labelloop {
namespace testing {

struct VocObject {
  std::string name;
  float xmin = 0, ymin = 0, xmax = 0, ymax = 0;
};

struct VocAnnotation {
  std::string filename;
  int width = 0;
  int height = 0;
  std::vector<VocObject> objects;
};

// Just enough of Pascal VOC's XML for the BCCD annotations (flat tags, no attributes): the
// filename, the size and every object's name and bndbox. Returns false on a file it cannot read.
bool ReadVocAnnotation(const std::string& path, VocAnnotation* out);

}  // namespace testing
}  // namespace labelloop

#endif  // LABELLOOP_TESTS_TRAINER_TRAINING_VOC_ANNOTATION_H_
