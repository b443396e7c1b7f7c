#ifndef LABELLOOP_SAMPLER_RANDOM_ORDER_H_
#define LABELLOOP_SAMPLER_RANDOM_ORDER_H_

#include <cstdint>

namespace labelloop {

// A seeded shuffle that needs no state: an image's place is a hash of (seed, image id), so the
// order is the same after a restart and new images fall into random places without reshuffling.
// SplitMix64's finaliser: a bijection with good avalanche, so distinct ids never tie.
inline uint64_t RandomOrderKey(uint64_t seed, int64_t image_id) {
  uint64_t z = seed * 0x9E3779B97F4A7C15ULL + static_cast<uint64_t>(image_id);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

// The key as a score in [0,1), for reporting the random order's "score".
inline double RandomOrderScore(uint64_t key) {
  return static_cast<double>(key >> 11) * (1.0 / 9007199254740992.0);
}

}  // namespace labelloop

#endif  // LABELLOOP_SAMPLER_RANDOM_ORDER_H_
