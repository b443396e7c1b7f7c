#include "trainer/coco_eval_box_iou.h"

#include "gtest/gtest.h"

namespace labelloop {
namespace {

TEST(CocoBoxIouTest, UsesWidthAndHeightWithoutPlusOne) {
  // [0,0,10,10] and [5,0,10,10] overlap in 5 x 10 = 50; union 100 + 100 - 50 = 150.
  EXPECT_EQ(CocoBoxIou({5, 0, 10, 10}, {0, 0, 10, 10}, false), 50.0 / 150.0);
  EXPECT_EQ(CocoBoxIou({0, 0, 10, 10}, {0, 0, 10, 10}, false), 1.0);
}

TEST(CocoBoxIouTest, TouchingOrDisjointBoxesDoNotOverlap) {
  EXPECT_EQ(CocoBoxIou({10, 0, 10, 10}, {0, 0, 10, 10}, false), 0.0);  // shared edge
  EXPECT_EQ(CocoBoxIou({0, 50, 10, 10}, {0, 0, 10, 10}, false), 0.0);
}

TEST(CocoBoxIouTest, CrowdDividesByTheDetectionArea) {
  // Detection [90,0,20,10] has half of its 200 area inside the crowd region [0,0,100,100]:
  // 100 / 200 = 0.5, where the plain IoU would be 100 / (200 + 10000 - 100).
  EXPECT_EQ(CocoBoxIou({90, 0, 20, 10}, {0, 0, 100, 100}, true), 0.5);
  EXPECT_EQ(CocoBoxIou({90, 0, 20, 10}, {0, 0, 100, 100}, false), 100.0 / 10100.0);
  // Fully inside a crowd region counts as a perfect overlap whatever the region's size.
  EXPECT_EQ(CocoBoxIou({10, 10, 5, 5}, {0, 0, 100, 100}, true), 1.0);
}

}  // namespace
}  // namespace labelloop
