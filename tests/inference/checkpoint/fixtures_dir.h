#ifndef LABELLOOP_TESTS_INFERENCE_CHECKPOINT_FIXTURES_DIR_H_
#define LABELLOOP_TESTS_INFERENCE_CHECKPOINT_FIXTURES_DIR_H_

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>

namespace labelloop {

// Where checkpoint_fixtures.py `make` wrote its files (a CTest fixture runs it first).
inline std::string FixturesDir() {
  const char* dir = std::getenv("LABELLOOP_CHECKPOINT_FIXTURES_DIR");
  return dir != nullptr ? dir : "";
}

inline std::string FixturePath(const std::string& name) { return FixturesDir() + "/" + name; }

inline std::string ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

inline void WriteBytes(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

}  // namespace labelloop

#endif  // LABELLOOP_TESTS_INFERENCE_CHECKPOINT_FIXTURES_DIR_H_
