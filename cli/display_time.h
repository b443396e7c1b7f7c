#ifndef LABELLOOP_CLI_DISPLAY_TIME_H_
#define LABELLOOP_CLI_DISPLAY_TIME_H_

#include <cstdint>
#include <string>

namespace labelloop {

// Unix milliseconds as local "YYYY-MM-DD HH:MM:SS" for tables, "-" for 0 (not happened yet).
std::string DisplayTime(int64_t unix_ms);

// Seconds as "1h02m", "3m05s" or "42s", for ETAs and durations; "-" when negative.
std::string DisplayDuration(double seconds);

}  // namespace labelloop

#endif  // LABELLOOP_CLI_DISPLAY_TIME_H_
