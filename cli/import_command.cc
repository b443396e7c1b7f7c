// labelloop import --format=coco|voc|yolo PATH: adds a labeled dataset's images (AddImages) and
// stores its labels as accepted (DatasetService.ImportLabels), with a report of everything
// skipped or changed and why.
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "cli/command_group.h"
#include "cli/dataset_format.h"
#include "cli/image_files.h"
#include "cli/image_upload.h"
#include "cli/message_json.h"
#include "cli/progress_line.h"
#include "cli/rpc_status.h"
#include "cli/usage_error.h"
#include "formats/coco_format.h"
#include "formats/voc_format.h"
#include "formats/yolo_format.h"
#include "labelloop/v1/dataset.grpc.pb.h"

namespace labelloop {
namespace {

namespace fs = std::filesystem;

// Labels per ImportLabels call: one group commit each, well under the daemon's 10,000 and the
// message size limit (a label of 100 boxes is ~3 KB).
constexpr size_t kLabelsPerRequest = 500;

absl::StatusOr<FormatDataset> ReadDataset(DatasetFormat format, const std::string& path,
                                          const std::string& image_set,
                                          const ImportOptions& options, ImportReport* report) {
  switch (format) {
    case DatasetFormat::kCoco:
      return ReadCocoFile(path, options, report);
    case DatasetFormat::kVoc:
      return ReadVocDataset(path, image_set, options, report);
    case DatasetFormat::kYolo:
      return ReadYoloDataset(path, options, report);
  }
  return absl::InvalidArgumentError("unknown format");
}

// Adds the dataset's classes the project lacks, in the dataset's order (also classes no box
// uses: nothing in the file is lost). Returns the names added.
absl::StatusOr<std::vector<std::string>> AddClasses(const CommandContext& context,
                                                    v1::DatasetService::Stub& stub,
                                                    const std::vector<std::string>& names) {
  v1::GetClassesResponse classes;
  {
    auto rpc = context.NewRpc();
    absl::Status status = FromGrpcStatus(
        stub.GetClasses(rpc.get(), v1::GetClassesRequest(), &classes), context.server);
    if (!status.ok()) return status;
  }
  std::set<std::string> known;
  for (const v1::ClassInfo& info : classes.classes()) known.insert(info.name());
  std::vector<std::string> added;
  for (const std::string& name : names) {
    if (known.count(name) > 0) continue;
    v1::AddClassRequest request;
    request.set_name(name);
    v1::ClassChange change;
    auto rpc = context.NewRpc();
    absl::Status status =
        FromGrpcStatus(stub.AddClass(rpc.get(), request, &change), context.server);
    if (!status.ok())
      return absl::Status(status.code(),
                          absl::StrCat("adding class \"", name, "\": ", status.message()));
    known.insert(name);
    added.push_back(name);
  }
  return added;
}

absl::Status Import(const CommandContext& context, const Arguments& arguments) {
  if (absl::Status status =
          context.CheckFlags(arguments, {"format", "images", "by_path", "image_set", "min_box"});
      !status.ok()) {
    return status;
  }
  absl::StatusOr<DatasetFormat> format = ParseDatasetFormat(arguments);
  if (!format.ok()) return format.status();
  if (arguments.positionals().size() != 1) {
    return UsageError("import needs one PATH: a COCO JSON file, a VOC folder or a YOLO folder");
  }
  const std::string path = arguments.positionals()[0];
  absl::StatusOr<bool> by_path = arguments.GetBool("by_path", false);
  if (!by_path.ok()) return by_path.status();
  ImportOptions options;
  options.images_dir = arguments.Get("images").value_or("");
  absl::StatusOr<double> min_box = arguments.GetDouble("min_box", options.min_box_pixels);
  if (!min_box.ok()) return min_box.status();
  if (*min_box < 0) return UsageError("--min_box wants pixels >= 0");
  options.min_box_pixels = *min_box;
  const std::string image_set = arguments.Get("image_set").value_or("");
  if (!image_set.empty() && *format != DatasetFormat::kVoc) {
    return UsageError("--image_set is for --format=voc (ImageSets/Main/NAME.txt)");
  }

  ImportReport report;
  absl::StatusOr<FormatDataset> dataset = ReadDataset(*format, path, image_set, options, &report);
  if (!dataset.ok()) return dataset.status();
  for (const FormatImage& image : dataset->images) {
    for (const FormatBox& box : image.boxes) {
      if (box.score.has_value()) {
        return absl::InvalidArgumentError(absl::StrCat(
            path, " holds predictions (", image.file_name,
            " has a box with a score); import takes labels, which are stored as accepted"));
      }
    }
  }

  v1::DatasetService::Stub stub(context.channel);
  absl::StatusOr<std::vector<std::string>> classes_added =
      AddClasses(context, stub, dataset->class_names);
  if (!classes_added.ok()) return classes_added.status();

  // Images first: the labels need their ids.
  std::vector<std::string> paths;
  for (const FormatImage& image : dataset->images) paths.push_back(image.path);
  ImageFileList list = CollectImageFiles(paths, *by_path ? UINTMAX_MAX : kMaxUploadBytes);
  AddTotals totals;
  {
    ProgressLine progress(context.err, context.err_is_tty, "import: images", list.files.size());
    absl::Status status = UploadImageFiles(context, list.files, *by_path, &progress, &totals);
    if (!status.ok()) return status;
  }
  for (const v1::RejectedImage& rejected : list.rejected) totals.rejected.push_back(rejected);
  std::map<std::string, int64_t> image_ids;
  for (const v1::AddedImage& added : totals.images) image_ids[added.source()] = added.image_id();
  for (const v1::RejectedImage& rejected : totals.rejected) {
    report.Add(ImportIssue::kRejectedByDaemon, rejected.path(),
               absl::StrCat("image not added: ", rejected.error()));
  }

  // Then the labels, in requests of kLabelsPerRequest.
  std::vector<const FormatImage*> labeled;
  for (const FormatImage& image : dataset->images) {
    if (image_ids.count(UploadName(image.path, *by_path)) > 0) labeled.push_back(&image);
  }
  const std::string source = fs::path(path).filename().string();
  int imported = 0;
  int64_t boxes = 0;
  ProgressLine progress(context.err, context.err_is_tty, "import: labels", labeled.size());
  for (size_t begin = 0; begin < labeled.size(); begin += kLabelsPerRequest) {
    const size_t end = std::min(labeled.size(), begin + kLabelsPerRequest);
    v1::ImportLabelsRequest request;
    request.set_source(source);
    request.set_add_missing_classes(true);
    for (size_t i = begin; i < end; ++i) {
      v1::ImportedLabel* label = request.add_labels();
      label->set_image_id(image_ids[UploadName(labeled[i]->path, *by_path)]);
      for (const FormatBox& box : labeled[i]->boxes) {
        v1::Box* out = label->add_boxes();
        out->set_x1(static_cast<float>(box.x1));
        out->set_y1(static_cast<float>(box.y1));
        out->set_x2(static_cast<float>(box.x2));
        out->set_y2(static_cast<float>(box.y2));
        out->set_class_name(box.class_name);
      }
    }
    v1::ImportLabelsResponse response;
    auto rpc = context.NewRpc();
    absl::Status status =
        FromGrpcStatus(stub.ImportLabels(rpc.get(), request, &response), context.server);
    if (!status.ok()) {
      progress.Finish();
      return absl::Status(status.code(),
                          absl::StrCat(status.message(), " (", imported, " of ", labeled.size(),
                                       " labels were imported before)"));
    }
    std::set<int> rejected;
    for (const v1::RejectedLabel& r : response.rejected()) {
      rejected.insert(r.index());
      report.Add(ImportIssue::kRejectedByDaemon, labeled[begin + r.index()]->file_name,
                 absl::StrCat("label not imported: ", r.error()));
    }
    for (size_t i = begin; i < end; ++i) {
      if (rejected.count(static_cast<int>(i - begin)) == 0) boxes += labeled[i]->boxes.size();
    }
    for (const std::string& name : response.added_classes()) classes_added->push_back(name);
    imported += response.imported();
    progress.Update(end);
  }
  progress.Finish();

  *context.err << "import: " << dataset->images.size() << " image(s) read from " << path << ", "
               << totals.added << " added, " << totals.duplicates << " already there; " << imported
               << " label(s) with " << boxes << " box(es) imported as accepted\n";
  for (const auto& [issue, count] : report.Counts()) {
    *context.err << "  " << issue << ": " << count << "\n";
  }
  if (report.Dropped() > 0) {
    *context.err << "  (" << report.Dropped()
                 << " box(es) or image(s) skipped; the JSON report below says where and why)\n";
  }
  Json json;
  json["format"] = DatasetFormatName(*format);
  json["path"] = path;
  json["images_read"] = dataset->images.size();
  json["images_added"] = totals.added;
  json["images_already_present"] = totals.duplicates;
  json["labels_imported"] = imported;
  json["boxes_imported"] = boxes;
  json["classes_added"] = *classes_added;
  json["skipped"] = report.Dropped();
  json["report"] = Json::parse(report.ToJson());
  *context.out << json.dump() << "\n";
  return absl::OkStatus();
}

}  // namespace

const CommandGroup& ImportCommands() {
  static const auto* const group = new CommandGroup{
      "import",
      "a labeled dataset (COCO, VOC, YOLO) into the project",
      {
          {"",
           "--format=coco|voc|yolo PATH [--images=DIR] [--by_path] [--image_set=NAME] "
           "[--min_box=PX]",
           "adds the images of PATH (a COCO JSON file, a VOC folder, a YOLO folder) and stores "
           "their labels as accepted, adding missing classes. Images are read from --images "
           "(default: the JSON's folder, VOC JPEGImages/, YOLO images/) and uploaded, or stored "
           "by path with --by_path. Boxes at most --min_box px (default 1) wide or tall, boxes "
           "outside their image, unknown categories, missing files... are skipped and listed: "
           "counts on stderr, a JSON report on stdout",
           &Import},
      }};
  return *group;
}

}  // namespace labelloop
