#include "server/dataset_service.h"

#include <filesystem>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/class_changes.h"
#include "common/durable_file.h"
#include "common/sha256.h"
#include "server/auth/call_verdict.h"
#include "server/grpc_status.h"
#include "server/image_proto.h"
#include "server/label_export.h"
#include "spdlog/spdlog.h"

namespace labelloop {
namespace {

// Images are committed in groups: one fsync per group instead of one per image, and a client
// that streams thousands of files still sees each group durable before the reply.
constexpr size_t kAddGroupSize = 64;
constexpr int kDefaultPageSize = 100;
constexpr int kMaxPageSize = 10000;

struct PendingImage {
  std::string source;
  NewImage image;
};

}  // namespace

grpc::Status DatasetServiceImpl::AddImages(grpc::ServerContext* context,
                                           grpc::ServerReader<v1::AddImagesRequest>* reader,
                                           v1::AddImagesResponse* response) {
  LABELLOOP_RETURN_IF_NOT_ADMITTED(context);
  std::vector<PendingImage> pending;
  std::vector<int64_t> new_ids;
  auto flush = [&]() -> absl::Status {
    if (pending.empty()) return absl::OkStatus();
    std::vector<NewImage> images;
    images.reserve(pending.size());
    for (const PendingImage& p : pending) images.push_back(p.image);
    absl::StatusOr<std::vector<AddImageResult>> results = store_->AddImages(images);
    if (!results.ok()) return results.status();
    for (size_t i = 0; i < pending.size(); ++i) {
      const AddImageResult& r = (*results)[i];
      v1::AddedImage* added = response->add_images();
      added->set_source(pending[i].source);
      added->set_image_id(r.image_id);
      added->set_duplicate(r.duplicate);
      if (r.duplicate) {
        response->set_duplicates(response->duplicates() + 1);
      } else {
        response->set_added(response->added() + 1);
        new_ids.push_back(r.image_id);
      }
    }
    pending.clear();
    queue_->AddImages(new_ids);
    on_images_added_(new_ids);
    new_ids.clear();
    return absl::OkStatus();
  };

  v1::AddImagesRequest request;
  int item = 0;
  while (reader->Read(&request)) {
    ++item;
    std::string source;
    std::string bytes;
    bool in_blob = false;
    auto reject = [&](absl::string_view error) {
      v1::RejectedImage* rejected = response->add_rejected();
      rejected->set_path(source);
      rejected->set_error(std::string(error));
    };
    switch (request.source_case()) {
      case v1::AddImagesRequest::kPath: {
        std::error_code ec;
        std::filesystem::path path = std::filesystem::absolute(request.path(), ec);
        source = request.path();
        absl::StatusOr<std::string> data = ReadFileLimited(path.string(), limits_.max_bytes);
        if (!data.ok()) {
          reject(data.status().message());
          continue;
        }
        bytes = *std::move(data);
        source = path.string();
        break;
      }
      case v1::AddImagesRequest::kData:
        source = request.name().empty() ? absl::StrCat("(stream item ", item, ")") : request.name();
        bytes = std::move(*request.mutable_data());
        in_blob = true;
        break;
      default:
        source = request.name().empty() ? absl::StrCat("(stream item ", item, ")") : request.name();
        reject("neither a path nor image bytes given");
        continue;
    }
    absl::StatusOr<ImageInfo> info = ValidateEncodedImage(bytes, limits_);
    if (!info.ok()) {
      reject(info.status().message());
      continue;
    }
    PendingImage& p = pending.emplace_back();
    p.source = source;
    p.image.uri = source;
    p.image.sha256 = Sha256Hex(bytes);
    p.image.in_blob = in_blob;
    p.image.size_bytes = static_cast<int64_t>(bytes.size());
    p.image.width = info->width;
    p.image.height = info->height;
    if (in_blob && !store_->FindImageBySha256(p.image.sha256).has_value()) {
      // The bytes are durable before the row that points at them is committed.
      absl::Status status = store_->blobs().Put(p.image.sha256, bytes);
      if (!status.ok()) return ToGrpcStatus(status);
    }
    if (pending.size() >= kAddGroupSize) {
      absl::Status status = flush();
      if (!status.ok()) return ToGrpcStatus(status);
    }
  }
  absl::Status status = flush();
  if (!status.ok()) return ToGrpcStatus(status);
  if (context->IsCancelled()) return grpc::Status(grpc::StatusCode::CANCELLED, "cancelled");
  spdlog::info("AddImages: {} added, {} duplicates, {} rejected", response->added(),
               response->duplicates(), response->rejected_size());
  return grpc::Status::OK;
}

grpc::Status DatasetServiceImpl::ListImages(grpc::ServerContext* context,
                                            const v1::ListImagesRequest* request,
                                            v1::ListImagesResponse* response) {
  LABELLOOP_RETURN_IF_NOT_ADMITTED(context);
  int page_size = request->page_size() == 0 ? kDefaultPageSize : request->page_size();
  if (page_size < 0 || page_size > kMaxPageSize) {
    return grpc::Status(
        grpc::StatusCode::INVALID_ARGUMENT,
        absl::StrCat("page_size must be in [1, ", kMaxPageSize, "], got ", request->page_size()));
  }
  if (!v1::ImageState_IsValid(request->state())) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        absl::StrCat("unknown state ", request->state()));
  }
  // The token is the last id of the previous page: pages stay correct while images are added.
  int64_t after_id = 0;
  if (!request->page_token().empty() &&
      (!absl::SimpleAtoi(request->page_token(), &after_id) || after_id < 0)) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        absl::StrCat("bad page_token \"", request->page_token(),
                                     "\"; pass next_page_token of the previous response"));
  }
  // One extra row tells whether another page follows.
  absl::StatusOr<std::vector<StoredImage>> images =
      store_->ListImages(request->state(), after_id, page_size + 1, clock_->NowMs());
  if (!images.ok()) return ToGrpcStatus(images.status());
  bool more = static_cast<int>(images->size()) > page_size;
  if (more) images->pop_back();
  for (const StoredImage& image : *images) *response->add_images() = ToImageProto(image);
  if (more) response->set_next_page_token(absl::StrCat(images->back().id));
  return grpc::Status::OK;
}

grpc::Status DatasetServiceImpl::GetImage(grpc::ServerContext* context,
                                          const v1::GetImageRequest* request,
                                          v1::GetImageResponse* response) {
  LABELLOOP_RETURN_IF_NOT_ADMITTED(context);
  // The state shown must include leases granted just before (they are written lazily).
  absl::Status synced = store_->Sync();
  if (!synced.ok()) return ToGrpcStatus(synced);
  absl::StatusOr<StoredImage> image = store_->GetImage(request->image_id(), clock_->NowMs());
  if (!image.ok()) return ToGrpcStatus(image.status());
  *response->mutable_image() = ToImageProto(*image);
  if (request->include_bytes()) {
    absl::StatusOr<std::string> data =
        store_->ReadImageBytes(image->sha256, image->in_blob, image->uri, limits_.max_bytes);
    if (!data.ok()) {
      return grpc::Status(
          grpc::StatusCode::UNAVAILABLE,
          absl::StrCat("bytes of image ", image->id, " cannot be read: ", data.status().message()));
    }
    response->set_data(*std::move(data));
  }
  absl::StatusOr<std::optional<v1::Label>> label = store_->LatestLabel(image->id);
  if (!label.ok()) return ToGrpcStatus(label.status());
  if (label->has_value()) *response->mutable_label() = **label;
  return grpc::Status::OK;
}

grpc::Status DatasetServiceImpl::RemoveImages(grpc::ServerContext* context,
                                              const v1::RemoveImagesRequest* request,
                                              v1::RemoveImagesResponse* response) {
  LABELLOOP_RETURN_IF_NOT_ADMITTED(context);
  std::vector<int64_t> ids(request->image_ids().begin(), request->image_ids().end());
  absl::StatusOr<RemovedImages> removed = store_->RemoveImages(ids);
  if (!removed.ok()) return ToGrpcStatus(removed.status());
  queue_->RemoveImages(removed->removed);
  for (const std::string& sha : removed->orphaned_blobs) {
    absl::Status status = store_->blobs().Remove(sha);
    if (!status.ok()) spdlog::warn("{}", status.ToString());
  }
  response->set_removed(static_cast<int32_t>(removed->removed.size()));
  for (int64_t id : removed->not_found) response->add_not_found(id);
  return grpc::Status::OK;
}

grpc::Status DatasetServiceImpl::GetClasses(grpc::ServerContext* context,
                                            const v1::GetClassesRequest* request,
                                            v1::GetClassesResponse* response) {
  LABELLOOP_RETURN_IF_NOT_ADMITTED(context);
  absl::StatusOr<std::vector<v1::ClassInfo>> classes = store_->ListClasses();
  if (!classes.ok()) return ToGrpcStatus(classes.status());
  for (v1::ClassInfo& info : *classes) *response->add_classes() = std::move(info);
  return grpc::Status::OK;
}

grpc::Status DatasetServiceImpl::UpdateClasses(grpc::ServerContext* context,
                                               const v1::UpdateClassesRequest* request,
                                               v1::UpdateClassesResponse* response) {
  LABELLOOP_RETURN_IF_NOT_ADMITTED(context);
  std::vector<std::string> names;
  for (const std::string& name : request->names()) {
    if (absl::Status status = ValidateClassName(name, "names"); !status.ok()) {
      return ToGrpcStatus(status);
    }
    names.push_back(name);
  }
  absl::Status status = store_->SetClasses(names);
  if (!status.ok()) return ToGrpcStatus(status);
  v1::GetClassesResponse classes;
  grpc::Status listed = GetClasses(context, nullptr, &classes);
  if (!listed.ok()) return listed;
  *response->mutable_classes() = classes.classes();
  return grpc::Status::OK;
}

namespace {

grpc::Status Answer(absl::StatusOr<v1::ClassChange> change, v1::ClassChange* response) {
  if (!change.ok()) return ToGrpcStatus(change.status());
  *response = *std::move(change);
  return grpc::Status::OK;
}

}  // namespace

grpc::Status DatasetServiceImpl::AddClass(grpc::ServerContext* context,
                                          const v1::AddClassRequest* request,
                                          v1::ClassChange* response) {
  LABELLOOP_RETURN_IF_NOT_ADMITTED(context);
  return Answer(labelloop::AddClass(store_, request->name(), clock_->NowMs()), response);
}

grpc::Status DatasetServiceImpl::RenameClass(grpc::ServerContext* context,
                                             const v1::RenameClassRequest* request,
                                             v1::ClassChange* response) {
  LABELLOOP_RETURN_IF_NOT_ADMITTED(context);
  return Answer(labelloop::RenameClass(store_, request->from(), request->to(), clock_->NowMs()),
                response);
}

grpc::Status DatasetServiceImpl::MergeClasses(grpc::ServerContext* context,
                                              const v1::MergeClassesRequest* request,
                                              v1::ClassChange* response) {
  LABELLOOP_RETURN_IF_NOT_ADMITTED(context);
  std::vector<std::string> sources(request->sources().begin(), request->sources().end());
  return Answer(labelloop::MergeClasses(store_, sources, request->target(), clock_->NowMs()),
                response);
}

grpc::Status DatasetServiceImpl::DeleteClass(grpc::ServerContext* context,
                                             const v1::DeleteClassRequest* request,
                                             v1::ClassChange* response) {
  LABELLOOP_RETURN_IF_NOT_ADMITTED(context);
  return Answer(labelloop::DeleteClass(store_, request->name(), clock_->NowMs()), response);
}

grpc::Status DatasetServiceImpl::ListClassChanges(grpc::ServerContext* context,
                                                  const v1::ListClassChangesRequest* request,
                                                  v1::ListClassChangesResponse* response) {
  LABELLOOP_RETURN_IF_NOT_ADMITTED(context);
  absl::StatusOr<std::vector<v1::ClassChange>> changes = labelloop::ListClassChanges(store_);
  if (!changes.ok()) return ToGrpcStatus(changes.status());
  for (v1::ClassChange& change : *changes) *response->add_changes() = std::move(change);
  return grpc::Status::OK;
}

grpc::Status DatasetServiceImpl::ImportLabels(grpc::ServerContext* context,
                                              const v1::ImportLabelsRequest* request,
                                              v1::ImportLabelsResponse* response) {
  LABELLOOP_RETURN_IF_NOT_ADMITTED(context);
  std::vector<int64_t> image_ids;
  absl::Status status = labelloop::ImportLabels(store_, import_options_, *request, clock_->NowMs(),
                                                response, &image_ids);
  if (!status.ok()) return ToGrpcStatus(status);
  // Labeled now: out of the queue, and counted towards the next training round.
  queue_->RemoveImages(image_ids);
  if (on_labels_stored_ && !image_ids.empty()) on_labels_stored_(response->imported());
  spdlog::info("ImportLabels from {}: {} imported, {} rejected", request->source(),
               response->imported(), response->rejected_size());
  return grpc::Status::OK;
}

grpc::Status DatasetServiceImpl::ExportLabels(grpc::ServerContext* context,
                                              const v1::ExportLabelsRequest* request,
                                              grpc::ServerWriter<v1::ExportedImage>* writer) {
  LABELLOOP_RETURN_IF_NOT_ADMITTED(context);
  absl::Status status = labelloop::ExportLabels(
      store_, *request, clock_->NowMs(), [&](const v1::ExportedImage& item) {
        return !context->IsCancelled() && writer->Write(item);
      });
  return ToGrpcStatus(status);
}

}  // namespace labelloop
