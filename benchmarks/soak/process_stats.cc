#include "benchmarks/soak/process_stats.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace labelloop {
namespace {

// "VmRSS:\t  123456 kB" -> 123456.
int64_t StatusField(const std::string& status, const std::string& key) {
  const size_t at = status.find(key + ":");
  if (at == std::string::npos) return -1;
  std::istringstream line(status.substr(at + key.size() + 1));
  int64_t value = -1;
  line >> value;
  return value;
}

}  // namespace

ProcessStats ReadProcessStats(pid_t pid) {
  ProcessStats stats;
  const std::string proc = absl::StrCat("/proc/", pid);
  std::ifstream status_file(proc + "/status");
  std::stringstream status;
  status << status_file.rdbuf();
  stats.rss_kib = StatusField(status.str(), "VmRSS");
  stats.peak_rss_kib = StatusField(status.str(), "VmHWM");
  stats.threads = StatusField(status.str(), "Threads");

  std::error_code ec;
  int64_t fds = 0;
  for (std::filesystem::directory_iterator it(proc + "/fd", ec), end; !ec && it != end;
       it.increment(ec)) {
    ++fds;
  }
  if (!ec) stats.open_fds = fds;

  // /proc/PID/stat: fields 14 and 15 (utime, stime) in clock ticks, after the ")" that ends the
  // command name (which may itself hold spaces).
  std::ifstream stat_file(proc + "/stat");
  std::string stat((std::istreambuf_iterator<char>(stat_file)), std::istreambuf_iterator<char>());
  const size_t close = stat.rfind(')');
  if (close != std::string::npos) {
    std::istringstream fields(stat.substr(close + 2));
    std::vector<std::string> parts;
    for (std::string part; fields >> part;) parts.push_back(part);
    int64_t utime = 0;
    int64_t stime = 0;
    // After ")": state is field 3, so utime (14) is index 11 and stime (15) index 12.
    if (parts.size() > 12 && absl::SimpleAtoi(parts[11], &utime) &&
        absl::SimpleAtoi(parts[12], &stime)) {
      stats.cpu_seconds = static_cast<double>(utime + stime) / sysconf(_SC_CLK_TCK);
    }
  }
  return stats;
}

}  // namespace labelloop
