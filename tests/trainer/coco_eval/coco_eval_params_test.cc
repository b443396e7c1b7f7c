#include "trainer/coco_eval_params.h"

#include <vector>

#include "gtest/gtest.h"

namespace labelloop {
namespace {

// Expected values are numpy 1.24's own output, printed with float.hex():
//   np.linspace(.5, 0.95, 10) and np.linspace(.0, 1.00, 101).
TEST(NumpyLinspaceTest, IouThresholdsMatchNumpyBitForBit) {
  const std::vector<double> expected = {
      0x1.0000000000000p-1, 0x1.199999999999ap-1, 0x1.3333333333333p-1, 0x1.4cccccccccccdp-1,
      0x1.6666666666666p-1, 0x1.8000000000000p-1, 0x1.999999999999ap-1, 0x1.b333333333333p-1,
      0x1.cccccccccccccp-1, 0x1.e666666666666p-1};
  EXPECT_EQ(NumpyLinspace(0.5, 0.95, 10), expected);
  // summarize() finds AP50 and AP75 with ==, so these two must be exact.
  EXPECT_EQ(expected[0], 0.5);
  EXPECT_EQ(expected[5], 0.75);
  // The last element is stop itself, not 0.5 + 9 * step.
  EXPECT_EQ(expected[9], 0.95);
}

TEST(NumpyLinspaceTest, RecallThresholdsMatchNumpyBitForBit) {
  const std::vector<double> expected = {0x0.0p+0,
                                        0x1.47ae147ae147bp-7,
                                        0x1.47ae147ae147bp-6,
                                        0x1.eb851eb851eb8p-6,
                                        0x1.47ae147ae147bp-5,
                                        0x1.999999999999ap-5,
                                        0x1.eb851eb851eb8p-5,
                                        0x1.1eb851eb851ecp-4,
                                        0x1.47ae147ae147bp-4,
                                        0x1.70a3d70a3d70ap-4,
                                        0x1.999999999999ap-4,
                                        0x1.c28f5c28f5c29p-4,
                                        0x1.eb851eb851eb8p-4,
                                        0x1.0a3d70a3d70a4p-3,
                                        0x1.1eb851eb851ecp-3,
                                        0x1.3333333333333p-3,
                                        0x1.47ae147ae147bp-3,
                                        0x1.5c28f5c28f5c3p-3,
                                        0x1.70a3d70a3d70ap-3,
                                        0x1.851eb851eb852p-3,
                                        0x1.999999999999ap-3,
                                        0x1.ae147ae147ae1p-3,
                                        0x1.c28f5c28f5c29p-3,
                                        0x1.d70a3d70a3d71p-3,
                                        0x1.eb851eb851eb8p-3,
                                        0x1.0000000000000p-2,
                                        0x1.0a3d70a3d70a4p-2,
                                        0x1.147ae147ae148p-2,
                                        0x1.1eb851eb851ecp-2,
                                        0x1.28f5c28f5c28fp-2,
                                        0x1.3333333333333p-2,
                                        0x1.3d70a3d70a3d7p-2,
                                        0x1.47ae147ae147bp-2,
                                        0x1.51eb851eb851fp-2,
                                        0x1.5c28f5c28f5c3p-2,
                                        0x1.6666666666667p-2,
                                        0x1.70a3d70a3d70ap-2,
                                        0x1.7ae147ae147aep-2,
                                        0x1.851eb851eb852p-2,
                                        0x1.8f5c28f5c28f6p-2,
                                        0x1.999999999999ap-2,
                                        0x1.a3d70a3d70a3ep-2,
                                        0x1.ae147ae147ae1p-2,
                                        0x1.b851eb851eb85p-2,
                                        0x1.c28f5c28f5c29p-2,
                                        0x1.ccccccccccccdp-2,
                                        0x1.d70a3d70a3d71p-2,
                                        0x1.e147ae147ae15p-2,
                                        0x1.eb851eb851eb8p-2,
                                        0x1.f5c28f5c28f5cp-2,
                                        0x1.0000000000000p-1,
                                        0x1.051eb851eb852p-1,
                                        0x1.0a3d70a3d70a4p-1,
                                        0x1.0f5c28f5c28f6p-1,
                                        0x1.147ae147ae148p-1,
                                        0x1.199999999999ap-1,
                                        0x1.1eb851eb851ecp-1,
                                        0x1.23d70a3d70a3ep-1,
                                        0x1.28f5c28f5c28fp-1,
                                        0x1.2e147ae147ae1p-1,
                                        0x1.3333333333333p-1,
                                        0x1.3851eb851eb85p-1,
                                        0x1.3d70a3d70a3d7p-1,
                                        0x1.428f5c28f5c29p-1,
                                        0x1.47ae147ae147bp-1,
                                        0x1.4cccccccccccdp-1,
                                        0x1.51eb851eb851fp-1,
                                        0x1.570a3d70a3d71p-1,
                                        0x1.5c28f5c28f5c3p-1,
                                        0x1.6147ae147ae15p-1,
                                        0x1.6666666666667p-1,
                                        0x1.6b851eb851eb8p-1,
                                        0x1.70a3d70a3d70ap-1,
                                        0x1.75c28f5c28f5cp-1,
                                        0x1.7ae147ae147aep-1,
                                        0x1.8000000000000p-1,
                                        0x1.851eb851eb852p-1,
                                        0x1.8a3d70a3d70a4p-1,
                                        0x1.8f5c28f5c28f6p-1,
                                        0x1.947ae147ae148p-1,
                                        0x1.999999999999ap-1,
                                        0x1.9eb851eb851ecp-1,
                                        0x1.a3d70a3d70a3ep-1,
                                        0x1.a8f5c28f5c290p-1,
                                        0x1.ae147ae147ae1p-1,
                                        0x1.b333333333333p-1,
                                        0x1.b851eb851eb85p-1,
                                        0x1.bd70a3d70a3d7p-1,
                                        0x1.c28f5c28f5c29p-1,
                                        0x1.c7ae147ae147bp-1,
                                        0x1.ccccccccccccdp-1,
                                        0x1.d1eb851eb851fp-1,
                                        0x1.d70a3d70a3d71p-1,
                                        0x1.dc28f5c28f5c3p-1,
                                        0x1.e147ae147ae15p-1,
                                        0x1.e666666666667p-1,
                                        0x1.eb851eb851eb8p-1,
                                        0x1.f0a3d70a3d70ap-1,
                                        0x1.f5c28f5c28f5cp-1,
                                        0x1.fae147ae147aep-1,
                                        0x1.0000000000000p+0};
  ASSERT_EQ(expected.size(), 101u);
  EXPECT_EQ(NumpyLinspace(0.0, 1.0, 101), expected);
}

TEST(NumpyLinspaceTest, EdgeCounts) {
  EXPECT_TRUE(NumpyLinspace(0, 1, 0).empty());
  EXPECT_EQ(NumpyLinspace(3, 7, 1), std::vector<double>{3});
  EXPECT_EQ(NumpyLinspace(2, 2, 3), (std::vector<double>{2, 2, 2}));
}

TEST(StandardCocoEvalParamsTest, MatchesPycocotoolsDefaults) {
  const CocoEvalParams params = StandardCocoEvalParams();
  EXPECT_EQ(params.iou_thresholds, NumpyLinspace(0.5, 0.95, 10));
  EXPECT_EQ(params.recall_thresholds, NumpyLinspace(0.0, 1.0, 101));
  EXPECT_EQ(params.max_detections, (std::vector<int>{1, 10, 100}));
  ASSERT_EQ(params.area_ranges.size(), 4u);
  EXPECT_EQ(params.area_ranges[0].label, "all");
  EXPECT_EQ(params.area_ranges[0].min_area, 0);
  EXPECT_EQ(params.area_ranges[0].max_area, 1e10);
  EXPECT_EQ(params.area_ranges[1].label, "small");
  EXPECT_EQ(params.area_ranges[1].max_area, 1024);
  EXPECT_EQ(params.area_ranges[2].label, "medium");
  EXPECT_EQ(params.area_ranges[2].min_area, 1024);
  EXPECT_EQ(params.area_ranges[2].max_area, 9216);
  EXPECT_EQ(params.area_ranges[3].label, "large");
  EXPECT_EQ(params.area_ranges[3].min_area, 9216);
  EXPECT_EQ(params.area_ranges[3].max_area, 1e10);
}

}  // namespace
}  // namespace labelloop
