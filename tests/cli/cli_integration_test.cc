// Runs the real labelloop CLI against the real labelloopd, as a user's shell would.

#include <algorithm>
#include <filesystem>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/testing/cli_runner.h"
#include "tests/testing/free_port.h"
#include "tests/testing/run_process.h"
#include "tests/testing/test_daemon.h"
#include "tests/testing/test_images.h"

namespace labelloop {
namespace {

namespace fs = std::filesystem;
using ::labelloop::testing::JsonLines;
using ::labelloop::testing::ProcessResult;
using ::labelloop::testing::ReadFileBytes;
using Json = nlohmann::json;

constexpr int kExitError = 1;
constexpr int kExitUsage = 2;

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<testing::TestDaemon>> daemon = testing::TestDaemon::Start();
    ASSERT_TRUE(daemon.ok()) << daemon.status();
    daemon_ = *std::move(daemon);
    images_dir_ = daemon_->scratch_dir() / "images";
    fs::create_directories(images_dir_);
  }

  // Runs `labelloop --server=<daemon> words...`.
  ProcessResult Cli(std::vector<std::string> words) { return cli().Run(std::move(words)); }
  // Runs the CLI and expects exit 0; returns stdout.
  std::string CliOk(std::vector<std::string> words) { return cli().RunOk(std::move(words)); }
  testing::CliRunner cli() const { return {LABELLOOP_CLI_PATH, daemon_->address()}; }

  // Writes `count` distinct BMP images into images_dir_ and returns their paths.
  std::vector<fs::path> WriteImages(int count, int first_seed = 0) {
    std::vector<fs::path> paths;
    for (int i = 0; i < count; ++i) {
      fs::path path = images_dir_ / absl::StrCat("img", first_seed + i, ".bmp");
      EXPECT_TRUE(testing::WriteBytes(path, testing::EncodeTestBmp(64, 48, first_seed + i)).ok());
      paths.push_back(path);
    }
    return paths;
  }

  // Adds `count` images and the classes WBC, RBC, Platelets; returns the image count.
  void AddImagesAndClasses(int count) {
    WriteImages(count);
    Json added = Json::parse(CliOk({"--json", "images", "add", images_dir_.string()}));
    ASSERT_EQ(added["added"], count) << added;
    CliOk({"classes", "set", "WBC", "RBC", "Platelets"});
  }

  std::vector<Json> Lease(int count, const std::string& annotator) {
    return JsonLines(
        CliOk({"queue", "next", absl::StrCat("--count=", count), "--annotator=" + annotator}));
  }

  std::unique_ptr<testing::TestDaemon> daemon_;
  fs::path images_dir_;
};

TEST_F(CliTest, AddImagesReportsAddedDuplicatesAndRejected) {
  std::vector<fs::path> images = WriteImages(3);
  fs::create_directories(images_dir_ / "nested" / "deeper");
  ASSERT_TRUE(testing::WriteBytes(images_dir_ / "nested" / "deeper" / "deep.bmp",
                                  testing::EncodeTestBmp(40, 30, 99))
                  .ok());
  int expected_added = 4;
  for (const fs::path& jpeg : testing::SampleJpegs(3)) {
    fs::copy_file(jpeg, images_dir_ / jpeg.filename());
    ++expected_added;
  }
  fs::copy_file(images[0], images_dir_ / "nested" / "copy-of-img0.bmp");
  ASSERT_TRUE(testing::WriteBytes(images_dir_ / "notes.jpg", "this is text, not a JPEG\n").ok());
  ASSERT_TRUE(testing::WriteBytes(images_dir_ / "empty.jpg", "").ok());
  // Hidden files are never sent.
  ASSERT_TRUE(testing::WriteBytes(images_dir_ / ".DS_Store", "junk").ok());
  // Over the client's 64 MiB cap: refused without being read (sparse, so cheap to make).
  const fs::path huge = images_dir_ / "huge.jpg";
  ASSERT_TRUE(testing::WriteBytes(huge, "").ok());
  fs::resize_file(huge, (64u << 20) + 1);

  const fs::path missing = daemon_->scratch_dir() / "no-such-file.jpg";
  ProcessResult result = Cli({"--json", "images", "add", images_dir_.string(), missing.string()});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  Json reply = Json::parse(result.out);
  EXPECT_EQ(reply["added"], expected_added) << reply;
  EXPECT_EQ(reply["duplicates"], 1) << reply;
  std::set<std::string> rejected;
  for (const Json& item : reply["rejected"]) {
    rejected.insert(item["path"].get<std::string>());
    EXPECT_FALSE(item["error"].get<std::string>().empty()) << item;
  }
  EXPECT_EQ(rejected, (std::set<std::string>{(images_dir_ / "empty.jpg").string(),
                                             (images_dir_ / "notes.jpg").string(), huge.string(),
                                             missing.string()}))
      << reply;
  EXPECT_NE(reply.dump().find("client's limit"), std::string::npos) << reply;

  std::vector<Json> listed = JsonLines(CliOk({"images", "ls"}));
  ASSERT_EQ(listed.size(), static_cast<size_t>(expected_added));
  std::set<std::string> uris;
  for (const Json& image : listed) {
    EXPECT_EQ(image["state"], "unlabeled") << image;
    EXPECT_GT(image["id"].get<int64_t>(), 0);
    EXPECT_GT(image["width"].get<int>(), 0);
    EXPECT_EQ(image["sha256"].get<std::string>().size(), 64u);
    for (const char* key : {"size_bytes", "split", "added_unix_ms", "label_versions", "height"}) {
      EXPECT_TRUE(image.contains(key)) << key;
    }
    uris.insert(image["uri"].get<std::string>());
  }
  EXPECT_TRUE(uris.count(images[1].string())) << "uri is the client's path";

  // The same folder again: everything is a duplicate, nothing new.
  Json again = Json::parse(CliOk({"--json", "images", "add", images_dir_.string()}));
  EXPECT_EQ(again["added"], 0) << again;
  EXPECT_EQ(again["duplicates"], expected_added + 1) << again;
  EXPECT_EQ(again["rejected"].size(), 3u) << again;
  EXPECT_EQ(JsonLines(CliOk({"images", "ls"})).size(), static_cast<size_t>(expected_added));
}

TEST_F(CliTest, AddImagesPrintsAHumanSummaryWithoutJson) {
  WriteImages(2);
  ASSERT_TRUE(testing::WriteBytes(images_dir_ / "empty.png", "").ok());
  const std::string out = CliOk({"images", "add", images_dir_.string()});
  EXPECT_NE(out.find("added 2 image(s)"), std::string::npos) << out;
  EXPECT_NE(out.find("empty.png"), std::string::npos) << out;
}

TEST_F(CliTest, AddImagesByPathStoresTheDaemonSidePath) {
  std::vector<fs::path> images = WriteImages(2);
  Json reply = Json::parse(CliOk({"--json", "images", "add", "--by_path", images_dir_.string()}));
  EXPECT_EQ(reply["added"], 2) << reply;
  std::vector<Json> listed = JsonLines(CliOk({"images", "ls"}));
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0]["uri"], fs::absolute(images[0]).string());
}

TEST_F(CliTest, ClassesSetAndList) {
  EXPECT_EQ(JsonLines(CliOk({"--json", "classes", "ls"})).size(), 0u);
  CliOk({"classes", "set", "WBC", "RBC", "Platelets"});
  std::vector<Json> classes = JsonLines(CliOk({"--json", "classes", "ls"}));
  std::set<std::string> names;
  for (const Json& c : classes) {
    names.insert(c["name"].get<std::string>());
    EXPECT_EQ(c["box_count"], 0);
  }
  EXPECT_EQ(names, (std::set<std::string>{"WBC", "RBC", "Platelets"}));

  CliOk({"classes", "set", "WBC", "RBC"});
  EXPECT_EQ(JsonLines(CliOk({"--json", "classes", "ls"})).size(), 2u);
  const std::string human = CliOk({"classes", "ls"});
  EXPECT_NE(human.find("WBC"), std::string::npos) << human;
  EXPECT_EQ(Cli({"classes", "set"}).exit_code, kExitUsage);
}

TEST_F(CliTest, QueueNeverHandsAnImageToTwoAnnotators) {
  AddImagesAndClasses(6);
  std::vector<Json> alice = Lease(4, "alice");
  std::vector<Json> bob = Lease(4, "bob");
  EXPECT_EQ(alice.size(), 4u);
  EXPECT_EQ(bob.size(), 2u);
  std::set<int64_t> ids;
  for (const std::vector<Json>* batch : {&alice, &bob}) {
    for (const Json& item : *batch) {
      ids.insert(item["image_id"].get<int64_t>());
      EXPECT_FALSE(item["lease_id"].get<std::string>().empty()) << item;
      EXPECT_EQ(item["model_version"], "") << item;
      EXPECT_TRUE(item["predictions"].is_array() && item["predictions"].empty()) << item;
      EXPECT_EQ(item["width"], 64);
      EXPECT_EQ(item["height"], 48);
      EXPECT_GT(item["lease_expires_unix_ms"].get<int64_t>(), 0);
      for (const char* key : {"uri", "rank", "score"}) EXPECT_TRUE(item.contains(key)) << key;
    }
  }
  EXPECT_EQ(ids.size(), 6u);
  EXPECT_EQ(JsonLines(CliOk({"images", "ls", "--state=leased"})).size(), 6u);
  EXPECT_TRUE(Lease(1, "carol").empty());
}

TEST_F(CliTest, SubmittedLabelsAreStored) {
  AddImagesAndClasses(3);
  std::vector<Json> items = Lease(2, "alice");
  ASSERT_EQ(items.size(), 2u);
  const std::string first = absl::StrCat(items[0]["image_id"].get<int64_t>());
  const std::string second = absl::StrCat(items[1]["image_id"].get<int64_t>());

  CliOk({"labels", "submit", "--image=" + first,
         "--lease=" + items[0]["lease_id"].get<std::string>(), "--box=1,2,30,40,WBC", "--box",
         "10.5,5,60,47,RBC"});
  // No --box: the image holds no objects, which is a label too.
  CliOk({"labels", "submit", "--image=" + second,
         "--lease=" + items[1]["lease_id"].get<std::string>()});

  std::vector<Json> labeled = JsonLines(CliOk({"images", "ls", "--state=labeled"}));
  std::set<std::string> labeled_ids;
  for (const Json& image : labeled) labeled_ids.insert(absl::StrCat(image["id"].get<int64_t>()));
  EXPECT_EQ(labeled_ids, (std::set<std::string>{first, second}));
  EXPECT_EQ(JsonLines(CliOk({"images", "ls", "--state=unlabeled"})).size(), 1u);

  Json image = Json::parse(CliOk({"images", "get", first}));
  ASSERT_TRUE(image.contains("label")) << image;
  ASSERT_EQ(image["label"]["boxes"].size(), 2u) << image;
  EXPECT_EQ(image["label"]["boxes"][0]["box"], Json::parse("[1,2,30,40]"));
  EXPECT_EQ(image["label"]["boxes"][0]["class"], "WBC");
  EXPECT_EQ(image["label"]["boxes"][1]["box"], Json::parse("[10.5,5,60,47]"));
  EXPECT_EQ(image["label"]["annotator"], "alice");
  Json empty = Json::parse(CliOk({"images", "get", second}));
  ASSERT_TRUE(empty.contains("label")) << empty;
  EXPECT_TRUE(empty["label"]["boxes"].empty());

  Json classes_by_name;
  for (const Json& c : JsonLines(CliOk({"--json", "classes", "ls"}))) {
    classes_by_name[c["name"].get<std::string>()] = c["box_count"];
  }
  EXPECT_EQ(classes_by_name["WBC"], 1) << classes_by_name;
  EXPECT_EQ(classes_by_name["RBC"], 1) << classes_by_name;
}

TEST_F(CliTest, BadBoxesAreRejectedAndNothingIsStored) {
  AddImagesAndClasses(1);
  std::vector<Json> items = Lease(1, "alice");
  ASSERT_EQ(items.size(), 1u);
  const std::string image = "--image=" + absl::StrCat(items[0]["image_id"].get<int64_t>());
  const std::string lease = "--lease=" + items[0]["lease_id"].get<std::string>();

  struct BadBox {
    std::string box;
    std::string mentioned;  // Part of the box the error should name.
  };
  for (const BadBox& bad : std::vector<BadBox>{{"1,2,30,40,Neutrophil", "Neutrophil"},
                                               {"30,2,10,40,WBC", "30"},
                                               {"5,5,5,20,WBC", "5"},
                                               {"nan,2,30,40,WBC", "nan"},
                                               {"1,2,inf,40,WBC", "inf"},
                                               {"1,2,500,40,WBC", "500"}}) {
    // One good box beside the bad one: the whole submission must be refused.
    ProcessResult result =
        Cli({"labels", "submit", image, lease, "--box=1,1,10,10,RBC", "--box=" + bad.box});
    EXPECT_EQ(result.exit_code, kExitError) << bad.box << ": " << result.err;
    EXPECT_NE(result.err.find("INVALID_ARGUMENT"), std::string::npos) << result.err;
    EXPECT_NE(result.err.find(bad.mentioned), std::string::npos) << result.err;
    EXPECT_TRUE(result.out.empty()) << result.out;
  }
  EXPECT_TRUE(JsonLines(CliOk({"images", "ls", "--state=labeled"})).empty());
  Json stored =
      Json::parse(CliOk({"images", "get", absl::StrCat(items[0]["image_id"].get<int64_t>())}));
  EXPECT_FALSE(stored.contains("label")) << stored;
  EXPECT_EQ(stored["label_versions"], 0) << stored;

  // The lease is still good for a correct submission.
  CliOk({"labels", "submit", image, lease, "--box=1,1,10,10,RBC"});
  EXPECT_EQ(JsonLines(CliOk({"images", "ls", "--state=labeled"})).size(), 1u);
}

TEST_F(CliTest, BadBoxSyntaxIsAUsageError) {
  for (const char* box : {"1,2,3,WBC", "a,2,3,4,WBC", "1,2,3,4"}) {
    ProcessResult result = Cli({"labels", "submit", "--image=1", "--lease=x", "--box", box});
    EXPECT_EQ(result.exit_code, kExitUsage) << box;
    EXPECT_NE(result.err.find(box), std::string::npos) << result.err;
    EXPECT_NE(result.err.find("usage:"), std::string::npos) << result.err;
  }
}

TEST_F(CliTest, WrongLeaseIsRefusedAndKeepsStoredLabel) {
  AddImagesAndClasses(2);
  std::vector<Json> items = Lease(2, "alice");
  ASSERT_EQ(items.size(), 2u);
  const std::string first = "--image=" + absl::StrCat(items[0]["image_id"].get<int64_t>());

  ProcessResult bogus =
      Cli({"labels", "submit", first, "--lease=not-a-lease", "--box=1,1,9,9,WBC"});
  EXPECT_EQ(bogus.exit_code, kExitError);
  EXPECT_NE(bogus.err.find("error: FAILED_PRECONDITION"), std::string::npos) << bogus.err;

  // Another image's live lease is no good either.
  ProcessResult foreign =
      Cli({"labels", "submit", first, "--lease=" + items[1]["lease_id"].get<std::string>()});
  EXPECT_EQ(foreign.exit_code, kExitError);
  EXPECT_NE(foreign.err.find("FAILED_PRECONDITION"), std::string::npos) << foreign.err;

  const std::string lease = "--lease=" + items[0]["lease_id"].get<std::string>();
  CliOk({"labels", "submit", first, lease, "--box=1,1,9,9,WBC"});
  // The lease ended with the submission; a second use fails and the stored label stays.
  ProcessResult reused = Cli({"labels", "submit", first, lease, "--box=2,2,9,9,RBC"});
  EXPECT_EQ(reused.exit_code, kExitError);
  EXPECT_NE(reused.err.find("FAILED_PRECONDITION"), std::string::npos) << reused.err;
  Json stored =
      Json::parse(CliOk({"images", "get", absl::StrCat(items[0]["image_id"].get<int64_t>())}));
  ASSERT_EQ(stored["label"]["boxes"].size(), 1u) << stored;
  EXPECT_EQ(stored["label"]["boxes"][0]["class"], "WBC");
}

TEST_F(CliTest, SkipAndReleaseGiveImagesBack) {
  AddImagesAndClasses(2);
  std::vector<Json> items = Lease(2, "alice");
  ASSERT_EQ(items.size(), 2u);
  auto image_flag = [](const Json& item) {
    return "--image=" + absl::StrCat(item["image_id"].get<int64_t>());
  };
  auto lease_flag = [](const Json& item) {
    return "--lease=" + item["lease_id"].get<std::string>();
  };
  CliOk({"queue", "skip", image_flag(items[0]), lease_flag(items[0]), "--reason=blurry"});
  CliOk({"queue", "release", image_flag(items[1]), lease_flag(items[1])});
  EXPECT_EQ(JsonLines(CliOk({"images", "ls", "--state=skipped"})).size(), 1u);
  EXPECT_EQ(JsonLines(CliOk({"images", "ls", "--state=unlabeled"})).size(), 1u);
  // The released image comes first; the skipped one is behind every unlabeled image.
  std::vector<Json> again = Lease(2, "bob");
  ASSERT_GE(again.size(), 1u);
  EXPECT_EQ(again[0]["image_id"], items[1]["image_id"]);
  // A released lease no longer works.
  ProcessResult stale = Cli({"queue", "release", image_flag(items[1]), lease_flag(items[1])});
  EXPECT_EQ(stale.exit_code, kExitError) << stale.err;
}

TEST_F(CliTest, ImagesGetWritesBytesAndRmRemoves) {
  std::vector<fs::path> images = WriteImages(2);
  Json added =
      Json::parse(CliOk({"--json", "images", "add", images[0].string(), images[1].string()}));
  ASSERT_EQ(added["images"].size(), 2u) << added;
  const std::string id = absl::StrCat(added["images"][0]["image_id"].get<int64_t>());
  const fs::path out = daemon_->scratch_dir() / "fetched.bmp";
  Json image = Json::parse(CliOk({"images", "get", id, "--out=" + out.string()}));
  EXPECT_EQ(image["uri"], images[0].string());
  EXPECT_EQ(ReadFileBytes(out), ReadFileBytes(images[0]));

  Json removed = Json::parse(CliOk({"--json", "images", "rm", id, "999999"}));
  EXPECT_EQ(removed["removed"], 1) << removed;
  EXPECT_EQ(removed["not_found"], Json::parse("[999999]")) << removed;
  EXPECT_EQ(JsonLines(CliOk({"images", "ls"})).size(), 1u);
  ProcessResult gone = Cli({"images", "get", id});
  EXPECT_EQ(gone.exit_code, kExitError);
  EXPECT_NE(gone.err.find("NOT_FOUND"), std::string::npos) << gone.err;
}

TEST_F(CliTest, CommandLineMistakesExitTwoWithUsage) {
  for (const std::vector<std::string>& words : std::vector<std::vector<std::string>>{
           {},
           {"frobnicate"},
           {"images"},
           {"images", "explode"},
           {"queue", "next", "--count=2"},
           {"queue", "next", "--annotator=a", "--count=lots"},
           {"labels", "submit", "--lease=x"},
           {"images", "ls", "--state=done"},
           {"images", "ls", "--colour=red"},
           {"--timeout=0", "classes", "ls"},
       }) {
    ProcessResult result = Cli(words);
    EXPECT_EQ(result.exit_code, kExitUsage) << absl::StrJoin(words, " ") << ": " << result.err;
    EXPECT_NE(result.err.find("usage:"), std::string::npos) << result.err;
  }
  ProcessResult help = Cli({"help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("labels submit"), std::string::npos) << help.out;
  EXPECT_EQ(Cli({"help", "queue"}).exit_code, 0);
}

TEST_F(CliTest, UnreachableDaemonIsNamed) {
  absl::StatusOr<int> port = testing::PickFreeLoopbackPort();
  ASSERT_TRUE(port.ok());
  const std::string address = absl::StrCat("127.0.0.1:", *port);
  absl::StatusOr<ProcessResult> result =
      testing::RunProcess({LABELLOOP_CLI_PATH, "--server=" + address, "classes", "ls"});
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->exit_code, kExitError);
  EXPECT_NE(result->err.find("error: UNAVAILABLE"), std::string::npos) << result->err;
  EXPECT_NE(result->err.find(address), std::string::npos) << result->err;
}

TEST_F(CliTest, ServerComesFromTheEnvironment) {
  CliOk({"classes", "set", "WBC"});
  absl::StatusOr<ProcessResult> result =
      testing::RunProcess({LABELLOOP_CLI_PATH, "--json", "classes", "ls"}, absl::Seconds(60),
                          {"LABELLOOP_SERVER=" + daemon_->address()});
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->exit_code, 0) << result->err;
  EXPECT_NE(result->out.find("\"WBC\""), std::string::npos) << result->out;
}

TEST_F(CliTest, ListingPagesThroughManyImages) {
  // Several AddImages streams (100 files each) and several listing pages.
  constexpr int kCount = 250;
  for (int i = 0; i < kCount; ++i) {
    ASSERT_TRUE(testing::WriteBytes(images_dir_ / absl::StrCat("tiny", i, ".bmp"),
                                    testing::EncodeTestBmp(8, 8, 1000 + i))
                    .ok());
  }
  Json added = Json::parse(CliOk({"--json", "images", "add", images_dir_.string()}));
  EXPECT_EQ(added["added"], kCount) << added["rejected"];
  EXPECT_EQ(added["images"].size(), static_cast<size_t>(kCount));
  std::vector<Json> listed = JsonLines(CliOk({"images", "ls", "--page_size=60"}));
  ASSERT_EQ(listed.size(), static_cast<size_t>(kCount));
  std::set<int64_t> ids;
  for (const Json& image : listed) ids.insert(image["id"].get<int64_t>());
  EXPECT_EQ(ids.size(), static_cast<size_t>(kCount));
  EXPECT_EQ(JsonLines(CliOk({"images", "ls"})).size(), static_cast<size_t>(kCount));
}

}  // namespace
}  // namespace labelloop
