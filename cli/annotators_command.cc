// labelloop annotators stats|overlap: per-annotator counts and agreement on overlap images
// (AnnotatorService).

#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "cli/command_group.h"
#include "cli/message_json.h"
#include "cli/rpc_status.h"
#include "cli/usage_error.h"
#include "labelloop/v1/annotators.grpc.pb.h"

namespace labelloop {
namespace {

// --bucket: day, hour, week, or a number of seconds.
absl::StatusOr<int64_t> ParseBucket(const Arguments& arguments) {
  std::optional<std::string> word = arguments.Get("bucket");
  if (!word.has_value() || *word == "day") return 86400;
  if (*word == "hour") return 3600;
  if (*word == "week") return 7 * 86400;
  int64_t seconds = 0;
  if (absl::SimpleAtoi(*word, &seconds) && seconds > 0) return seconds;
  return UsageError(absl::StrCat("--bucket=", *word,
                                 " is not one of day, hour, week or a number of seconds > 0"));
}

Json CountsToJson(const v1::AnnotatorCounts& counts) {
  Json json;
  json["labels_submitted"] = counts.labels_submitted();
  json["overlap_labels"] = counts.overlap_labels();
  json["agreement_labels"] = counts.agreement_labels();
  // null rather than 0 when nothing was compared: "no data" is not "full disagreement".
  json["mean_agreement"] =
      counts.agreement_labels() > 0 ? Json(counts.mean_agreement()) : Json(nullptr);
  return json;
}

std::string AgreementText(const v1::AnnotatorCounts& counts) {
  return counts.agreement_labels() > 0 ? absl::StrFormat("%.3f", counts.mean_agreement()) : "-";
}

// UTC start of a bucket: the date for day-or-longer buckets, else date and time.
std::string BucketText(int64_t start_ms, int64_t bucket_seconds) {
  time_t seconds = static_cast<time_t>(start_ms / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[32];
  std::strftime(text, sizeof(text), bucket_seconds % 86400 == 0 ? "%Y-%m-%d" : "%Y-%m-%d %H:%M",
                &utc);
  return text;
}

absl::Status Stats(const CommandContext& context, const Arguments& arguments) {
  if (absl::Status status = context.CheckFlags(arguments, {"annotator", "bucket", "since"});
      !status.ok()) {
    return status;
  }
  if (!arguments.positionals().empty()) return UsageError("annotators stats takes no argument");
  absl::StatusOr<int64_t> bucket = ParseBucket(arguments);
  if (!bucket.ok()) return bucket.status();
  absl::StatusOr<int64_t> since = arguments.GetInt("since", 0);
  if (!since.ok()) return since.status();
  v1::GetAnnotatorStatsRequest request;
  request.set_annotator(arguments.Get("annotator").value_or(""));
  request.set_bucket_seconds(*bucket);
  request.set_since_unix_ms(*since);
  v1::GetAnnotatorStatsResponse response;
  v1::AnnotatorService::Stub stub(context.channel);
  auto rpc = context.NewRpc();
  absl::Status called =
      FromGrpcStatus(stub.GetAnnotatorStats(rpc.get(), request, &response), context.server);
  if (!called.ok()) return called;
  if (context.json) {
    // One line per annotator, with its buckets.
    for (const v1::AnnotatorStats& stats : response.annotators()) {
      Json json = CountsToJson(stats.total());
      json["annotator"] = stats.annotator();
      json["bucket_seconds"] = response.bucket_seconds();
      json["buckets"] = Json::array();
      for (const v1::AnnotatorBucket& b : stats.buckets()) {
        Json bucket_json = CountsToJson(b.counts());
        bucket_json["start_unix_ms"] = b.start_unix_ms();
        json["buckets"].push_back(std::move(bucket_json));
      }
      *context.out << json.dump() << "\n";
    }
    return absl::OkStatus();
  }
  constexpr char kRow[] = "%-24s %8d %8d %8d %9s\n";
  *context.out << absl::StrFormat("%-24s %8s %8s %8s %9s\n", "ANNOTATOR / BUCKET (UTC)", "LABELS",
                                  "OVERLAP", "COMPARED", "AGREEMENT");
  for (const v1::AnnotatorStats& stats : response.annotators()) {
    const v1::AnnotatorCounts& t = stats.total();
    *context.out << absl::StrFormat(kRow, stats.annotator(), t.labels_submitted(),
                                    t.overlap_labels(), t.agreement_labels(), AgreementText(t));
    for (const v1::AnnotatorBucket& b : stats.buckets()) {
      const v1::AnnotatorCounts& c = b.counts();
      *context.out << absl::StrFormat(
          kRow, "  " + BucketText(b.start_unix_ms(), response.bucket_seconds()),
          c.labels_submitted(), c.overlap_labels(), c.agreement_labels(), AgreementText(c));
    }
  }
  *context.out << response.annotators_size() << " annotator(s)\n";
  return absl::OkStatus();
}

absl::Status Overlap(const CommandContext& context, const Arguments& arguments) {
  if (absl::Status status = context.CheckFlags(arguments, {"only", "limit"}); !status.ok()) {
    return status;
  }
  if (!arguments.positionals().empty()) return UsageError("annotators overlap takes no argument");
  const std::string only = arguments.Get("only").value_or("all");
  if (only != "all" && only != "disagreements") {
    return UsageError(absl::StrCat("--only=", only, " is not one of all, disagreements"));
  }
  absl::StatusOr<int64_t> limit = arguments.GetInt("limit", 0);
  if (!limit.ok()) return limit.status();
  v1::ListOverlapImagesRequest request;
  request.set_only_disagreements(only == "disagreements");
  request.set_limit(static_cast<int32_t>(*limit));
  v1::ListOverlapImagesResponse response;
  v1::AnnotatorService::Stub stub(context.channel);
  auto rpc = context.NewRpc();
  absl::Status called =
      FromGrpcStatus(stub.ListOverlapImages(rpc.get(), request, &response), context.server);
  if (!called.ok()) return called;
  for (const v1::OverlapImageAgreement& image : response.images()) {
    if (context.json) {
      Json json;
      json["image_id"] = image.image_id();
      json["agreement"] = image.agreement();
      json["sent_to_review"] = image.sent_to_review();
      json["completed_unix_ms"] = image.completed_unix_ms();
      json["labels"] = Json::array();
      for (const v1::OverlapLabelAgreement& label : image.labels()) {
        json["labels"].push_back({{"label_id", label.label_id()},
                                  {"annotator", label.annotator()},
                                  {"agreement", label.agreement()}});
      }
      *context.out << json.dump() << "\n";
      continue;
    }
    std::string who;
    for (const v1::OverlapLabelAgreement& label : image.labels()) {
      absl::StrAppend(&who, who.empty() ? "" : ", ", label.annotator(), " ",
                      absl::StrFormat("%.2f", label.agreement()));
    }
    *context.out << absl::StrFormat("image %d\t%.3f\t%s\t%s\n", image.image_id(), image.agreement(),
                                    image.sent_to_review() ? "review" : "ok", who);
  }
  if (!context.json) *context.out << response.images_size() << " overlap image(s)\n";
  return absl::OkStatus();
}

}  // namespace

const CommandGroup& AnnotatorsCommands() {
  static const auto* const group = new CommandGroup{
      "annotators",
      "how much each annotator labels and how well they agree on overlap images",
      {
          {"stats", "stats [--annotator=NAME] [--bucket=day|hour|week|SECONDS] [--since=UNIX_MS]",
           "per annotator: labels, overlap labels, those compared, mean agreement with the "
           "others; in total and per time bucket (--json: one line per annotator)",
           &Stats},
          {"overlap", "overlap [--only=all|disagreements] [--limit=N]",
           "complete overlap images, lowest agreement first (disagreements: those below "
           "overlap.review_below, sent to review)",
           &Overlap},
      }};
  return *group;
}

}  // namespace labelloop
