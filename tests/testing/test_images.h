#ifndef LABELLOOP_TESTS_TESTING_TEST_IMAGES_H_
#define LABELLOOP_TESTS_TESTING_TEST_IMAGES_H_

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/status/status.h"

namespace labelloop::testing {

// A 24-bit BMP whose pixels depend on `seed`, so different seeds give different bytes (and
// so different images to the daemon's content-addressed store). BMP because it is written in a
// few lines without an image library and every decoder reads it.
std::string EncodeTestBmp(int width, int height, uint32_t seed);

absl::Status WriteBytes(const std::filesystem::path& path, const std::string& bytes);

// JPEG files of the BCCD sample set when it is on this machine (/work/shared/datasets/bccd,
// or $LABELLOOP_BCCD_DIR), at most `limit`, in name order; empty otherwise.
std::vector<std::filesystem::path> SampleJpegs(size_t limit);

}  // namespace labelloop::testing

#endif  // LABELLOOP_TESTS_TESTING_TEST_IMAGES_H_
