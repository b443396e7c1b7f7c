#ifndef LABELLOOP_TESTS_TESTING_BOX_BUILDER_H_
#define LABELLOOP_TESTS_TESTING_BOX_BUILDER_H_

#include <string>

#include "labelloop/v1/types.pb.h"

namespace labelloop::testing {

// A box as an annotation tool sends it: corners in pixels and the class by name.
inline v1::Box MakeBox(float x1, float y1, float x2, float y2, const std::string& class_name) {
  v1::Box box;
  box.set_x1(x1);
  box.set_y1(y1);
  box.set_x2(x2);
  box.set_y2(y2);
  box.set_class_name(class_name);
  return box;
}

}  // namespace labelloop::testing

#endif  // LABELLOOP_TESTS_TESTING_BOX_BUILDER_H_
