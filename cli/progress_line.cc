#include "cli/progress_line.h"

#include <utility>

#include "absl/time/clock.h"

namespace labelloop {

ProgressLine::ProgressLine(std::ostream* err, bool is_tty, std::string label, size_t total,
                           size_t log_every)
    : err_(err), is_tty_(is_tty), label_(std::move(label)), total_(total), log_every_(log_every) {}

void ProgressLine::Update(size_t done) {
  if (is_tty_) {
    const absl::Time now = absl::Now();
    if (now - last_drawn_ < absl::Milliseconds(200) && done != total_) return;
    last_drawn_ = now;
    drawn_ = true;
    *err_ << "\r" << label_ << ": " << done << "/" << total_ << " files" << std::flush;
    return;
  }
  if (log_every_ == 0 || done < last_logged_ + log_every_) return;
  last_logged_ = done;
  *err_ << label_ << ": " << done << "/" << total_ << " files\n" << std::flush;
}

void ProgressLine::Finish() {
  if (drawn_) *err_ << "\n" << std::flush;
  drawn_ = false;
}

}  // namespace labelloop
