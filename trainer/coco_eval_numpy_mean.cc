#include "trainer/coco_eval_numpy_mean.h"

#include <algorithm>
#include <cstddef>
#include <limits>

namespace labelloop {
namespace {

// numpy's buffer size: reductions hand the inner loop at most this many values at a time.
constexpr size_t kReduceBlock = 8192;
// numpy's PW_BLOCKSIZE: below it, pairwise_sum sums with 8 interleaved accumulators.
constexpr size_t kPairwiseLeaf = 128;

// Transcribed from numpy's DOUBLE_pairwise_sum (loops_utils.h.src).
double PairwiseSum(const double* a, size_t n) {
  if (n < 8) {
    double res = 0.;
    for (size_t i = 0; i < n; ++i) res += a[i];
    return res;
  }
  if (n <= kPairwiseLeaf) {
    double r[8];
    for (int j = 0; j < 8; ++j) r[j] = a[j];
    size_t i = 8;
    for (; i < n - (n % 8); i += 8) {
      for (int j = 0; j < 8; ++j) r[j] += a[i + j];
    }
    double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; ++i) res += a[i];
    return res;
  }
  size_t n2 = n / 2;
  n2 -= n2 % 8;
  return PairwiseSum(a, n2) + PairwiseSum(a + n2, n - n2);
}

}  // namespace

double NumpyMean(absl::Span<const double> values) {
  if (values.empty()) return std::numeric_limits<double>::quiet_NaN();
  double sum = 0.;
  for (size_t begin = 0; begin < values.size(); begin += kReduceBlock) {
    sum += PairwiseSum(values.data() + begin, std::min(kReduceBlock, values.size() - begin));
  }
  return sum / static_cast<double>(values.size());
}

}  // namespace labelloop
