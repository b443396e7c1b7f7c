#include "trainer/coco_eval_numpy_mean.h"

#include <cmath>
#include <vector>

#include "gtest/gtest.h"

namespace labelloop {
namespace {

std::vector<double> Values(int n) {
  std::vector<double> values(n);
  for (int i = 0; i < n; ++i) values[i] = (i % 7) * 0.1 + 1.0 / 3;
  return values;
}

// Expected: float(np.mean(np.array([(i % 7) * 0.1 + 1.0 / 3 for i in range(n)]))).hex() from
// numpy 1.24. A plain left-to-right sum gives different last bits for every n >= 100 here
// (e.g. 0x1.41b4e81b4e81ap-1 for n = 100), so these check the summation order itself: the 8-way
// leaves (n = 100), the pairwise split (n = 1010) and the 8192-value blocks (n = 9000, 20000).
TEST(NumpyMeanTest, MatchesNumpyBitForBit) {
  EXPECT_EQ(NumpyMean(Values(5)), 0x1.1111111111111p-1);
  EXPECT_EQ(NumpyMean(Values(100)), 0x1.41b4e81b4e81bp-1);
  EXPECT_EQ(NumpyMean(Values(1010)), 0x1.44036129663b3p-1);
  EXPECT_EQ(NumpyMean(Values(9000)), 0x1.443cfc21ada00p-1);
  EXPECT_EQ(NumpyMean(Values(20000)), 0x1.44424cf33f6f0p-1);
}

TEST(NumpyMeanTest, EmptyIsNan) { EXPECT_TRUE(std::isnan(NumpyMean({}))); }

}  // namespace
}  // namespace labelloop
