#ifndef LABELLOOP_CLI_PROGRESS_LINE_H_
#define LABELLOOP_CLI_PROGRESS_LINE_H_

#include <cstddef>
#include <ostream>
#include <string>

#include "absl/time/time.h"

namespace labelloop {

// "images add: 1200/5000 files" on stderr while a long command runs. On a terminal the line is
// rewritten in place a few times a second; elsewhere (a log file, a CI job) a line is written
// every `log_every` items, and nothing at all for runs shorter than that.
class ProgressLine {
 public:
  ProgressLine(std::ostream* err, bool is_tty, std::string label, size_t total,
               size_t log_every = 500);
  void Update(size_t done);
  // Ends the rewritten line so later output starts on a fresh one.
  void Finish();

 private:
  std::ostream* err_;
  bool is_tty_;
  std::string label_;
  size_t total_;
  size_t log_every_;
  size_t last_logged_ = 0;
  bool drawn_ = false;
  absl::Time last_drawn_ = absl::InfinitePast();
};

}  // namespace labelloop

#endif  // LABELLOOP_CLI_PROGRESS_LINE_H_
