#include "cli/message_json.h"

#include <charconv>
#include <cstdlib>

namespace labelloop {
namespace {

// Boxes travel as float; printed as double, 0.1f would read 0.10000000149011612. The shortest
// decimal that round-trips the float is what the user typed, so print that instead.
double FloatForJson(float value) {
  char buffer[64];
  auto [end, error] = std::to_chars(buffer, buffer + sizeof(buffer) - 1, value);
  if (error != std::errc()) return value;
  *end = '\0';
  return std::strtod(buffer, nullptr);
}

}  // namespace

std::string ImageStateName(v1::ImageState state) {
  switch (state) {
    case v1::IMAGE_STATE_UNLABELED:
      return "unlabeled";
    case v1::IMAGE_STATE_LEASED:
      return "leased";
    case v1::IMAGE_STATE_LABELED:
      return "labeled";
    case v1::IMAGE_STATE_SKIPPED:
      return "skipped";
    default:
      return "unspecified";
  }
}

std::optional<v1::ImageState> ParseImageState(absl::string_view name) {
  for (v1::ImageState state : {v1::IMAGE_STATE_UNLABELED, v1::IMAGE_STATE_LEASED,
                               v1::IMAGE_STATE_LABELED, v1::IMAGE_STATE_SKIPPED}) {
    if (ImageStateName(state) == name) return state;
  }
  return std::nullopt;
}

Json BoxToJson(const v1::Box& box) {
  Json json;
  json["box"] = {FloatForJson(box.x1()), FloatForJson(box.y1()), FloatForJson(box.x2()),
                 FloatForJson(box.y2())};
  json["class"] = box.class_name();
  json["score"] = FloatForJson(box.score());
  return json;
}

Json ImageToJson(const v1::Image& image) {
  Json json;
  json["id"] = image.id();
  json["uri"] = image.uri();
  json["sha256"] = image.sha256();
  json["size_bytes"] = image.size_bytes();
  json["width"] = image.width();
  json["height"] = image.height();
  json["state"] = ImageStateName(image.state());
  json["split"] = image.split();
  json["added_unix_ms"] = image.added_unix_ms();
  json["label_versions"] = image.label_versions();
  return json;
}

Json LabelToJson(const v1::Label& label) {
  Json json;
  json["id"] = label.id();
  json["image_id"] = label.image_id();
  json["version"] = label.version();
  json["annotator"] = label.annotator();
  json["created_unix_ms"] = label.created_unix_ms();
  json["prelabel_model_version"] = label.prelabel_model_version();
  Json boxes = Json::array();
  for (const v1::Box& box : label.boxes()) boxes.push_back(BoxToJson(box));
  json["boxes"] = std::move(boxes);
  return json;
}

Json QueueItemToJson(const v1::QueueItem& item) {
  Json json;
  json["image_id"] = item.image_id();
  json["uri"] = item.uri();
  json["width"] = item.width();
  json["height"] = item.height();
  json["rank"] = item.rank();
  json["score"] = item.score();
  json["score_parts"] = {{"uncertainty", item.score_parts().uncertainty()},
                         {"diversity", item.score_parts().diversity()},
                         {"strategy", item.score_parts().strategy()},
                         {"model_version", item.score_parts().model_version()},
                         {"stale", item.score_parts().stale()}};
  json["lease_id"] = item.lease_id();
  json["lease_expires_unix_ms"] = item.lease_expires_unix_ms();
  json["model_version"] = item.model_version();
  Json predictions = Json::array();
  for (const v1::Box& box : item.predictions()) predictions.push_back(BoxToJson(box));
  json["predictions"] = std::move(predictions);
  if (item.has_rejected_label()) {
    json["rejected_label"] = LabelVersionToJson(item.rejected_label());
  }
  return json;
}

std::string LabelStatusName(v1::LabelStatus status) {
  switch (status) {
    case v1::LABEL_STATUS_PENDING:
      return "pending";
    case v1::LABEL_STATUS_ACCEPTED:
      return "accepted";
    case v1::LABEL_STATUS_REJECTED:
      return "rejected";
    default:
      return "unknown";
  }
}

std::string LabelSourceName(v1::LabelSource source) {
  switch (source) {
    case v1::LABEL_SOURCE_HUMAN:
      return "human";
    case v1::LABEL_SOURCE_REVIEWER:
      return "reviewer";
    case v1::LABEL_SOURCE_MACHINE:
      return "machine";
    case v1::LABEL_SOURCE_IMPORT:
      return "import";
    default:
      return "unknown";
  }
}

Json LabelVersionToJson(const v1::LabelVersion& label) {
  Json json;
  json["label_id"] = label.label_id();
  json["image_id"] = label.image_id();
  json["version"] = label.version();
  json["status"] = LabelStatusName(label.status());
  json["source"] = LabelSourceName(label.source());
  json["annotator"] = label.annotator();
  json["created_unix_ms"] = label.created_unix_ms();
  json["prelabel_model_version"] = label.prelabel_model_version();
  Json boxes = Json::array();
  for (const v1::Box& box : label.boxes()) boxes.push_back(BoxToJson(box));
  json["boxes"] = std::move(boxes);
  json["reviewer"] = label.reviewer();
  json["reviewed_unix_ms"] = label.reviewed_unix_ms();
  json["reject_reason"] = label.reject_reason();
  if (label.revises_label_id() != 0) json["revises_label_id"] = label.revises_label_id();
  return json;
}

Json ClassToJson(const v1::ClassInfo& class_info) {
  Json json;
  json["id"] = class_info.id();
  json["name"] = class_info.name();
  json["box_count"] = class_info.box_count();
  return json;
}

}  // namespace labelloop
