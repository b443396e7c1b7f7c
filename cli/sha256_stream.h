#ifndef LABELLOOP_CLI_SHA256_STREAM_H_
#define LABELLOOP_CLI_SHA256_STREAM_H_

#include <memory>
#include <string>

#include "absl/strings/string_view.h"

struct evp_md_ctx_st;

namespace labelloop {

// SHA-256 over data that arrives in pieces (a checkpoint download), with OpenSSL directly:
// common/sha256.h hashes one buffer and lives in labelloop_common, which drags SQLite and
// OpenCV into the CLI.
class Sha256Stream {
 public:
  Sha256Stream();
  ~Sha256Stream();
  Sha256Stream(const Sha256Stream&) = delete;
  Sha256Stream& operator=(const Sha256Stream&) = delete;

  void Update(absl::string_view data);
  // Lowercase hex of everything given to Update. Call once.
  std::string FinishHex();

 private:
  evp_md_ctx_st* context_;
};

}  // namespace labelloop

#endif  // LABELLOOP_CLI_SHA256_STREAM_H_
