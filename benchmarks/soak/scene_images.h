#ifndef LABELLOOP_BENCHMARKS_SOAK_SCENE_IMAGES_H_
#define LABELLOOP_BENCHMARKS_SOAK_SCENE_IMAGES_H_

#include <cstdint>
#include <string>
#include <vector>

namespace labelloop {

// The classes scenes are drawn from: shapes a small detector learns in a few rounds.
inline const std::vector<std::string>& SceneClasses() {
  static const std::vector<std::string>* const kClasses =
      new std::vector<std::string>{"square", "disc", "bar"};
  return *kClasses;
}

struct SceneBox {
  float x1, y1, x2, y2;
  int class_index;
};

// One synthetic photo: a JPEG of 1-3 coloured shapes on a noisy gradient, and the boxes a careful
// annotator would draw around them. Real enough to decode, train on, score and pre-label; cheap
// enough that a pool of thousands is made in seconds.
struct Scene {
  std::string name;
  std::string jpeg;
  int width = 0;
  int height = 0;
  std::vector<SceneBox> boxes;
};

// Scene number `index` of the pool seeded by `seed` (same inputs, same bytes).
Scene MakeScene(int64_t index, uint64_t seed, int width, int height);

}  // namespace labelloop

#endif  // LABELLOOP_BENCHMARKS_SOAK_SCENE_IMAGES_H_
