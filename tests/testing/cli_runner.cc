#include "tests/testing/cli_runner.h"

#include <fstream>
#include <iterator>

#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"

namespace labelloop::testing {

ProcessResult CliRunner::Run(std::vector<std::string> words, absl::Duration timeout) const {
  words.insert(words.begin(), {cli_path_, "--server=" + server_address_});
  absl::StatusOr<ProcessResult> result = RunProcess(words, timeout, extra_env_);
  EXPECT_TRUE(result.ok()) << absl::StrJoin(words, " ") << ": " << result.status();
  return result.ok() ? *result : ProcessResult();
}

std::string CliRunner::RunOk(std::vector<std::string> words, absl::Duration timeout) const {
  const std::string command = absl::StrJoin(words, " ");
  ProcessResult result = Run(std::move(words), timeout);
  EXPECT_EQ(result.exit_code, 0) << command << "\nstdout: " << result.out
                                 << "\nstderr: " << result.err;
  return result.out;
}

std::vector<nlohmann::json> JsonLines(const std::string& text) {
  std::vector<nlohmann::json> lines;
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    lines.push_back(nlohmann::json::parse(std::string(line)));
  }
  return lines;
}

std::string ReadFileBytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace labelloop::testing
