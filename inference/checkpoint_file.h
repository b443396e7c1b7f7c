#ifndef LABELLOOP_INFERENCE_CHECKPOINT_FILE_H_
#define LABELLOOP_INFERENCE_CHECKPOINT_FILE_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace labelloop {

// Whole-file reads and crash-safe writes for checkpoint files. (common/durable_file.h does the
// same for small files, but lives in a library that needs protobuf and SQLite; checkpoint I/O
// must build with LibTorch alone, and streams hundreds of megabytes instead of building one
// string.)

// Reads the whole file. Errors name the path: NotFound for a missing file.
absl::StatusOr<std::string> ReadCheckpointFile(const std::string& path);

// Reads at most `n` bytes from the start of the file (fewer if it is shorter).
absl::StatusOr<std::string> ReadCheckpointFilePrefix(const std::string& path, size_t n);

// Writes a file so that readers see either the old file or the complete new one, even across a
// crash: the bytes go to a temporary file in the same folder, which Commit() fsyncs, renames
// over the destination and makes durable by fsyncing the folder. Destroying the writer
// without a successful Commit() removes the temporary file and leaves the destination as it
// was. Not thread-safe.
class AtomicFileWriter {
 public:
  AtomicFileWriter() = default;
  ~AtomicFileWriter();
  AtomicFileWriter(const AtomicFileWriter&) = delete;
  AtomicFileWriter& operator=(const AtomicFileWriter&) = delete;

  absl::Status Open(const std::string& path);
  absl::Status Write(std::string_view bytes);
  absl::Status Commit();

 private:
  void Abandon();

  std::string path_;
  std::string temp_path_;
  int fd_ = -1;
};

}  // namespace labelloop

#endif  // LABELLOOP_INFERENCE_CHECKPOINT_FILE_H_
