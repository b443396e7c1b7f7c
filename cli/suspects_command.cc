// labelloop suspects ls|dismiss|fix: labels the serving model disagrees with (SuspectService).

#include <optional>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "cli/command_group.h"
#include "cli/message_json.h"
#include "cli/rpc_status.h"
#include "cli/usage_error.h"
#include "labelloop/v1/suspects.grpc.pb.h"

namespace labelloop {
namespace {

struct Named {
  const char* name;
  int value;
};

constexpr Named kKinds[] = {
    {"missing", v1::SUSPECT_KIND_MISSING_BOX},
    {"spurious", v1::SUSPECT_KIND_SPURIOUS_BOX},
    {"mismatch", v1::SUSPECT_KIND_CLASS_MISMATCH},
    {"poor_fit", v1::SUSPECT_KIND_POOR_FIT},
};
constexpr Named kStatuses[] = {
    {"open", v1::SUSPECT_STATUS_OPEN},
    {"dismissed", v1::SUSPECT_STATUS_DISMISSED},
    {"fixed", v1::SUSPECT_STATUS_FIXED},
};

template <size_t N>
std::string NameOf(const Named (&table)[N], int value) {
  for (const Named& entry : table) {
    if (entry.value == value) return entry.name;
  }
  return "unknown";
}

// The value of `--flag`, one of the table's words; 0 when the flag is absent.
template <size_t N>
absl::StatusOr<int> ParseNamed(const Named (&table)[N], const Arguments& arguments,
                               const std::string& flag) {
  std::optional<std::string> word = arguments.Get(flag);
  if (!word.has_value()) return 0;
  std::string known;
  for (const Named& entry : table) {
    if (*word == entry.name) return entry.value;
    absl::StrAppend(&known, known.empty() ? "" : ", ", entry.name);
  }
  return UsageError(absl::StrCat("--", flag, "=", *word, " is not one of ", known));
}

Json SuspectToJson(const v1::Suspect& s) {
  Json json;
  json["id"] = s.id();
  json["kind"] = NameOf(kKinds, s.kind());
  json["status"] = NameOf(kStatuses, s.status());
  json["suspicion"] = s.suspicion();
  json["image_id"] = s.image_id();
  json["label_id"] = s.label_id();
  json["label_version"] = s.label_version();
  json["model_version"] = s.model_version();
  json["reason"] = s.reason();
  json["label_box"] = s.has_label_box() ? BoxToJson(s.label_box()) : Json();
  json["label_box_index"] = s.label_box_index();
  json["prediction"] = s.has_prediction() ? BoxToJson(s.prediction()) : Json();
  json["iou"] = s.iou();
  if (!s.reviewer().empty()) json["reviewer"] = s.reviewer();
  return json;
}

absl::Status List(const CommandContext& context, const Arguments& arguments) {
  if (absl::Status status = context.CheckFlags(arguments, {"kind", "status", "image", "limit"});
      !status.ok()) {
    return status;
  }
  if (!arguments.positionals().empty()) return UsageError("suspects ls takes no argument");
  v1::ListSuspectLabelsRequest request;
  absl::StatusOr<int> kind = ParseNamed(kKinds, arguments, "kind");
  if (!kind.ok()) return kind.status();
  absl::StatusOr<int> status = ParseNamed(kStatuses, arguments, "status");
  if (!status.ok()) return status.status();
  absl::StatusOr<int64_t> image = arguments.GetInt("image", 0);
  if (!image.ok()) return image.status();
  absl::StatusOr<int64_t> limit = arguments.GetInt("limit", 0);
  if (!limit.ok()) return limit.status();
  request.set_kind(static_cast<v1::SuspectKind>(*kind));
  request.set_status(static_cast<v1::SuspectStatus>(*status));
  request.set_image_id(*image);
  request.set_limit(static_cast<int32_t>(*limit));
  v1::ListSuspectLabelsResponse response;
  v1::SuspectService::Stub stub(context.channel);
  auto rpc = context.NewRpc();
  absl::Status called =
      FromGrpcStatus(stub.ListSuspectLabels(rpc.get(), request, &response), context.server);
  if (!called.ok()) return called;
  for (const v1::Suspect& s : response.suspects()) {
    if (context.json) {
      *context.out << SuspectToJson(s).dump() << "\n";
    } else {
      *context.out << absl::StrFormat("%d\t%.2f\t%s\timage %d label v%d\t%s\n", s.id(),
                                      s.suspicion(), NameOf(kKinds, s.kind()), s.image_id(),
                                      s.label_version(), s.reason());
    }
  }
  if (!context.json) {
    *context.out << response.suspects_size() << " suspect(s)";
    if (!response.model_version().empty()) {
      *context.out << "; scan with " << response.model_version() << ": "
                   << response.images_checked() << "/" << response.images_total()
                   << " labeled images" << (response.scanning() ? " (running)" : "");
    }
    *context.out << "\n";
  }
  return absl::OkStatus();
}

absl::Status Review(const CommandContext& context, const Arguments& arguments,
                    v1::SuspectStatus status, const char* verb) {
  if (absl::Status s = context.CheckFlags(arguments, {"reviewer"}); !s.ok()) return s;
  if (arguments.positionals().empty()) {
    return UsageError(absl::StrCat("suspects ", verb, " needs at least one suspect ID"));
  }
  v1::SuspectService::Stub stub(context.channel);
  for (const std::string& word : arguments.positionals()) {
    int64_t id = 0;
    if (!absl::SimpleAtoi(word, &id) || id <= 0) {
      return UsageError(absl::StrCat("suspect ID must be a positive number, got \"", word, "\""));
    }
    v1::ReviewSuspectRequest request;
    request.set_suspect_id(id);
    request.set_status(status);
    request.set_reviewer(arguments.Get("reviewer").value_or(""));
    v1::Suspect reviewed;
    auto rpc = context.NewRpc();
    absl::Status called =
        FromGrpcStatus(stub.ReviewSuspect(rpc.get(), request, &reviewed), context.server);
    if (!called.ok()) return called;
    if (context.json) {
      *context.out << SuspectToJson(reviewed).dump() << "\n";
    } else {
      *context.out << "suspect " << id << " " << NameOf(kStatuses, reviewed.status()) << "\n";
    }
  }
  return absl::OkStatus();
}

absl::Status Dismiss(const CommandContext& context, const Arguments& arguments) {
  return Review(context, arguments, v1::SUSPECT_STATUS_DISMISSED, "dismiss");
}

absl::Status Fix(const CommandContext& context, const Arguments& arguments) {
  return Review(context, arguments, v1::SUSPECT_STATUS_FIXED, "fix");
}

}  // namespace

const CommandGroup& SuspectsCommands() {
  static const auto* const group = new CommandGroup{
      "suspects",
      "labels the serving model disagrees with, found after each promotion",
      {
          {"ls",
           "ls [--kind=missing|spurious|mismatch|poor_fit] [--status=open|dismissed|fixed] "
           "[--image=ID] [--limit=N]",
           "lists suspected label errors, most suspicious first (--json: JSON lines)", &List},
          {"dismiss", "dismiss ID... [--reviewer=NAME]",
           "marks suspects as reviewed, the label being right: not raised again for this label "
           "version",
           &Dismiss},
          {"fix", "fix ID... [--reviewer=NAME]",
           "marks suspects as reviewed, the label being corrected", &Fix},
      }};
  return *group;
}

}  // namespace labelloop
