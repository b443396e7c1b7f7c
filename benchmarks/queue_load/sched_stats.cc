#include "benchmarks/queue_load/sched_stats.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace labelloop {
namespace {

std::string FirstLine(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

}  // namespace

SchedTotals ReadSchedTotals(pid_t pid) {
  SchedTotals totals;
  const std::string stat = FirstLine(absl::StrCat("/proc/", pid, "/stat"));
  // The command name may hold spaces; the fields after its closing parenthesis are fixed:
  // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
  const size_t close = stat.rfind(')');
  if (close != std::string::npos && close + 2 < stat.size()) {
    std::vector<std::string> fields = absl::StrSplit(stat.substr(close + 2), ' ');
    if (fields.size() > 12) {
      totals.running_seconds = (std::stod(fields[11]) + std::stod(fields[12])) /
                               static_cast<double>(sysconf(_SC_CLK_TCK));
    }
  }
  std::error_code ec;
  for (const auto& task :
       std::filesystem::directory_iterator(absl::StrCat("/proc/", pid, "/task"), ec)) {
    // "nanoseconds on a CPU, nanoseconds waiting on a runqueue, timeslices"
    std::vector<std::string> fields =
        absl::StrSplit(FirstLine((task.path() / "schedstat").string()), ' ');
    if (fields.size() < 2) continue;
    totals.waiting_seconds += std::stod(fields[1]) / 1e9;
  }
  return totals;
}

SchedTotals operator-(const SchedTotals& a, const SchedTotals& b) {
  // Threads that ended between the reads take their wait with them; a difference below zero
  // means "unknown, little", not negative.
  return {std::max(0.0, a.running_seconds - b.running_seconds),
          std::max(0.0, a.waiting_seconds - b.waiting_seconds)};
}

std::string MachineLoad() {
  std::vector<std::string> load = absl::StrSplit(FirstLine("/proc/loadavg"), ' ');
  std::string text = "load";
  for (size_t i = 0; i < 3 && i < load.size(); ++i) absl::StrAppend(&text, " ", load[i]);
  std::string pressure = FirstLine("/proc/pressure/cpu");
  if (!pressure.empty()) {
    std::vector<std::string> parts = absl::StrSplit(pressure, ' ');
    if (parts.size() > 1) absl::StrAppend(&text, ", cpu pressure some ", parts[1]);
  }
  return text;
}

}  // namespace labelloop
