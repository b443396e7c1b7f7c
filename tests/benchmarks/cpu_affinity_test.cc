#include "benchmarks/queue_load/cpu_affinity.h"

#include <sched.h>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace labelloop {
namespace {

using ::testing::HasSubstr;

TEST(CpuListTest, EmptyMeansNotPinned) {
  absl::StatusOr<CpuList> cpus = CpuList::Parse("");
  ASSERT_TRUE(cpus.ok()) << cpus.status();
  EXPECT_TRUE(cpus->empty());
  EXPECT_EQ(cpus->ToString(), "");
  // Pinning to nothing leaves the affinity as it was.
  cpu_set_t before, after;
  ASSERT_EQ(sched_getaffinity(0, sizeof(before), &before), 0);
  EXPECT_TRUE(PinCallingThread(*cpus).ok());
  ASSERT_EQ(sched_getaffinity(0, sizeof(after), &after), 0);
  EXPECT_TRUE(CPU_EQUAL(&before, &after));
}

TEST(CpuListTest, ParsesSinglesListsAndRangesAsTasksetWritesThem) {
  absl::StatusOr<CpuList> cpus = CpuList::Parse("5,0-2,2");
  ASSERT_TRUE(cpus.ok()) << cpus.status();
  EXPECT_EQ(cpus->count(), 4);
  EXPECT_EQ(cpus->ToString(), "0,1,2,5");
  for (int cpu : {0, 1, 2, 5}) EXPECT_TRUE(CPU_ISSET(cpu, &cpus->set())) << cpu;
  EXPECT_FALSE(CPU_ISSET(3, &cpus->set()));
}

TEST(CpuListTest, RejectsMalformedLists) {
  for (const char* text : {"a", "1,", ",1", "1-", "-1", "1--2", "1.5", " 1", "+1"}) {
    absl::StatusOr<CpuList> cpus = CpuList::Parse(text);
    ASSERT_FALSE(cpus.ok()) << text;
    EXPECT_EQ(cpus.status().code(), absl::StatusCode::kInvalidArgument) << text;
    EXPECT_THAT(cpus.status().message(), HasSubstr("CPU list")) << text;
  }
  absl::StatusOr<CpuList> reversed = CpuList::Parse("3-1");
  ASSERT_FALSE(reversed.ok());
  EXPECT_THAT(reversed.status().message(), HasSubstr("reversed range \"3-1\""));
  absl::StatusOr<CpuList> huge = CpuList::Parse("100000");
  ASSERT_FALSE(huge.ok());
  EXPECT_THAT(huge.status().message(), HasSubstr("CPU_SETSIZE"));
}

TEST(CpuListTest, PinsTheCallingThreadToAnAllowedCpu) {
  cpu_set_t allowed;
  ASSERT_EQ(sched_getaffinity(0, sizeof(allowed), &allowed), 0);
  int first = 0;
  while (!CPU_ISSET(first, &allowed)) ++first;
  absl::StatusOr<CpuList> one = CpuList::Parse(std::to_string(first));
  ASSERT_TRUE(one.ok()) << one.status();
  ASSERT_TRUE(PinCallingThread(*one).ok());
  cpu_set_t now;
  ASSERT_EQ(sched_getaffinity(0, sizeof(now), &now), 0);
  EXPECT_EQ(CPU_COUNT(&now), 1);
  EXPECT_TRUE(CPU_ISSET(first, &now));
  sched_setaffinity(0, sizeof(allowed), &allowed);  // Other tests in this process run unpinned.
}

}  // namespace
}  // namespace labelloop
