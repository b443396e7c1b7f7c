// labelloop export --format=coco|voc|yolo --out=DIR: the project's accepted labels, or the stored
// predictions, as a COCO, VOC or YOLO dataset (DatasetService.ExportLabels).
#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "cli/command_group.h"
#include "cli/dataset_format.h"
#include "cli/message_json.h"
#include "cli/rpc_status.h"
#include "cli/usage_error.h"
#include "formats/coco_format.h"
#include "formats/voc_format.h"
#include "formats/yolo_format.h"
#include "labelloop/v1/dataset.grpc.pb.h"

namespace labelloop {
namespace {

namespace fs = std::filesystem;

// The export is one stream; a big project takes longer than one ordinary call.
constexpr absl::Duration kMinStreamDeadline = absl::Minutes(10);

absl::StatusOr<std::string> ParseSplit(const Arguments& arguments) {
  const std::string split = arguments.Get("split").value_or("all");
  if (split == "all") return std::string();
  if (split == "train") return std::string("train");
  if (split == "validation" || split == "val") return std::string("val");
  return UsageError(absl::StrCat("--split wants train, validation or all, got '", split, "'"));
}

FormatBox ToFormatBox(const v1::Box& box, bool with_score) {
  FormatBox out;
  out.x1 = box.x1();
  out.y1 = box.y1();
  out.x2 = box.x2();
  out.y2 = box.y2();
  out.class_name = box.class_name();
  if (with_score) out.score = box.score();
  return out;
}

// The name an image gets in the export: its uri's file name, made unique with the image id when
// two images share one (VOC and YOLO name their files after it).
std::string ExportName(const v1::Image& image, std::map<std::string, int>* used) {
  std::string name = fs::path(image.uri()).filename().string();
  if (name.empty()) name = absl::StrCat(image.id(), ".jpg");
  if ((*used)[name]++ > 0) name = absl::StrCat(image.id(), "_", name);
  return name;
}

absl::Status Export(const CommandContext& context, const Arguments& arguments) {
  if (absl::Status status =
          context.CheckFlags(arguments, {"format", "out", "split", "predictions"});
      !status.ok()) {
    return status;
  }
  absl::StatusOr<DatasetFormat> format = ParseDatasetFormat(arguments);
  if (!format.ok()) return format.status();
  if (!arguments.positionals().empty()) {
    return UsageError(absl::StrCat("export takes no argument, got '", arguments.positionals()[0],
                                   "'; use --out=DIR"));
  }
  absl::StatusOr<std::string> out_dir = arguments.Require("out");
  if (!out_dir.ok()) return out_dir.status();
  absl::StatusOr<std::string> split = ParseSplit(arguments);
  if (!split.ok()) return split.status();
  absl::StatusOr<bool> predictions = arguments.GetBool("predictions", false);
  if (!predictions.ok()) return predictions.status();

  v1::DatasetService::Stub stub(context.channel);
  FormatDataset dataset;
  {
    v1::GetClassesResponse classes;
    auto rpc = context.NewRpc();
    absl::Status status = FromGrpcStatus(
        stub.GetClasses(rpc.get(), v1::GetClassesRequest(), &classes), context.server);
    if (!status.ok()) return status;
    for (const v1::ClassInfo& info : classes.classes()) dataset.class_names.push_back(info.name());
  }
  v1::ExportLabelsRequest request;
  request.set_split(*split);
  request.set_predictions(*predictions);
  auto rpc = context.NewRpc(std::max(context.timeout, kMinStreamDeadline));
  std::unique_ptr<grpc::ClientReader<v1::ExportedImage>> reader =
      stub.ExportLabels(rpc.get(), request);
  std::map<std::string, int> used;
  std::set<std::string> model_versions;
  int64_t boxes = 0;
  v1::ExportedImage item;
  while (reader->Read(&item)) {
    FormatImage& image = dataset.images.emplace_back();
    image.path = item.image().uri();
    image.file_name = ExportName(item.image(), &used);
    image.width = item.image().width();
    image.height = item.image().height();
    if (*predictions) {
      model_versions.insert(item.prediction_model_version());
      for (const v1::Box& box : item.predictions()) image.boxes.push_back(ToFormatBox(box, true));
    } else {
      for (const v1::Box& box : item.label().boxes()) {
        image.boxes.push_back(ToFormatBox(box, false));
      }
    }
    boxes += static_cast<int64_t>(image.boxes.size());
  }
  absl::Status status = FromGrpcStatus(reader->Finish(), context.server);
  if (!status.ok()) return status;

  const fs::path out(*out_dir);
  std::string written;
  switch (*format) {
    case DatasetFormat::kCoco:
      written = (out / (*predictions ? "predictions.json" : "annotations.json")).string();
      status = WriteCocoFile(dataset, written);
      break;
    case DatasetFormat::kVoc:
      written = (out / "Annotations").string();
      status = WriteVocDataset(dataset, out.string());
      break;
    case DatasetFormat::kYolo:
      written = (out / "labels").string();
      status = WriteYoloDataset(dataset, out.string());
      break;
  }
  if (!status.ok()) return status;
  *context.err << "export: " << dataset.images.size() << " image(s), " << boxes << " "
               << (*predictions ? "predicted " : "") << "box(es) written to " << written << "\n";
  Json json;
  json["format"] = DatasetFormatName(*format);
  json["out"] = written;
  json["split"] = split->empty() ? "all" : *split;
  json["predictions"] = *predictions;
  json["images"] = dataset.images.size();
  json["boxes"] = boxes;
  json["classes"] = dataset.class_names;
  if (*predictions) json["model_versions"] = model_versions;
  *context.out << json.dump() << "\n";
  return absl::OkStatus();
}

}  // namespace

const CommandGroup& ExportCommands() {
  static const auto* const group = new CommandGroup{
      "export",
      "the project's labels or predictions as COCO, VOC or YOLO",
      {
          {"", "--format=coco|voc|yolo --out=DIR [--split=train|validation|all] [--predictions]",
           "writes the latest accepted label of every labeled image (or, with --predictions, the "
           "stored predictions of the model that scored each image, with scores) to DIR: COCO "
           "annotations.json (predictions.json), VOC Annotations/*.xml, YOLO classes.txt and "
           "labels/*.txt. Files are named after each image's uri; classes follow the project's "
           "class list",
           &Export},
      }};
  return *group;
}

}  // namespace labelloop
