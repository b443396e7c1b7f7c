#ifndef LABELLOOP_COMMON_SHA256_H_
#define LABELLOOP_COMMON_SHA256_H_

#include <string>

#include "absl/strings/string_view.h"

namespace labelloop {

// Lowercase hex SHA-256 of `data`.
std::string Sha256Hex(absl::string_view data);

}  // namespace labelloop

#endif  // LABELLOOP_COMMON_SHA256_H_
