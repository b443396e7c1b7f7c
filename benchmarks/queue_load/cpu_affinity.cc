#include "benchmarks/queue_load/cpu_affinity.h"

#include <cerrno>
#include <cstring>
#include <vector>

#include "absl/algorithm/container.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace labelloop {
namespace {

absl::StatusOr<int> ParseCpu(absl::string_view text, absl::string_view whole) {
  int cpu = 0;
  // Digits only: SimpleAtoi alone would take " 1" and "+1", which taskset does not.
  const bool digits = !text.empty() && absl::c_all_of(text, absl::ascii_isdigit);
  if (!digits || !absl::SimpleAtoi(text, &cpu)) {
    return absl::InvalidArgumentError(
        absl::StrCat("bad CPU \"", text, "\" in CPU list \"", whole, "\" (expected e.g. 0,2-3)"));
  }
  if (cpu >= CPU_SETSIZE) {
    return absl::InvalidArgumentError(
        absl::StrCat("CPU ", cpu, " in \"", whole, "\" is beyond CPU_SETSIZE ", CPU_SETSIZE));
  }
  return cpu;
}

}  // namespace

absl::StatusOr<CpuList> CpuList::Parse(absl::string_view text) {
  CpuList list;
  if (text.empty()) return list;
  for (absl::string_view part : absl::StrSplit(text, ',')) {
    std::vector<absl::string_view> bounds = absl::StrSplit(part, absl::MaxSplits('-', 1));
    absl::StatusOr<int> first = ParseCpu(bounds[0], text);
    if (!first.ok()) return first.status();
    int last = *first;
    if (bounds.size() == 2) {
      absl::StatusOr<int> parsed = ParseCpu(bounds[1], text);
      if (!parsed.ok()) return parsed.status();
      last = *parsed;
      if (last < *first) {
        return absl::InvalidArgumentError(
            absl::StrCat("reversed range \"", part, "\" in CPU list \"", text, "\""));
      }
    }
    for (int cpu = *first; cpu <= last; ++cpu) CPU_SET(cpu, &list.set_);
  }
  return list;
}

std::string CpuList::ToString() const {
  std::vector<int> cpus;
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
    if (CPU_ISSET(cpu, &set_)) cpus.push_back(cpu);
  }
  return absl::StrJoin(cpus, ",");
}

absl::Status PinCallingThread(const CpuList& cpus) {
  if (cpus.empty()) return absl::OkStatus();
  if (sched_setaffinity(0, sizeof(cpu_set_t), &cpus.set()) != 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot pin to CPUs ", cpus.ToString(), ": ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

}  // namespace labelloop
