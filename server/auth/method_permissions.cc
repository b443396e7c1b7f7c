#include "server/auth/method_permissions.h"

#include <utility>

namespace labelloop::auth {
namespace {

struct Entry {
  const char* method;
  MethodRule rule;
};

constexpr MethodRule Public() { return {Access::kPublic, Permission::kAnyRole}; }
constexpr MethodRule Needs(Permission permission) { return {Access::kToken, permission}; }

// THE table: who may call what. Add a line here with every new RPC; a method missing here is
// denied when auth is on, and tests/auth checks that every registered method is listed.
constexpr Entry kTable[] = {
    // DatasetService
    {"/labelloop.v1.DatasetService/AddImages", Needs(Permission::kEngineer)},
    {"/labelloop.v1.DatasetService/ListImages", Needs(Permission::kRead)},
    {"/labelloop.v1.DatasetService/GetImage", Needs(Permission::kRead)},
    {"/labelloop.v1.DatasetService/RemoveImages", Needs(Permission::kEngineer)},
    // Every client (annotation tools included) needs the class names to show or submit labels.
    {"/labelloop.v1.DatasetService/GetClasses", Needs(Permission::kAnyRole)},
    {"/labelloop.v1.DatasetService/UpdateClasses", Needs(Permission::kEngineer)},
    {"/labelloop.v1.DatasetService/AddClass", Needs(Permission::kEngineer)},
    {"/labelloop.v1.DatasetService/RenameClass", Needs(Permission::kEngineer)},
    {"/labelloop.v1.DatasetService/MergeClasses", Needs(Permission::kEngineer)},
    {"/labelloop.v1.DatasetService/DeleteClass", Needs(Permission::kEngineer)},
    {"/labelloop.v1.DatasetService/ListClassChanges", Needs(Permission::kRead)},
    // Imported labels are accepted without review: a dataset change.
    {"/labelloop.v1.DatasetService/ImportLabels", Needs(Permission::kEngineer)},
    {"/labelloop.v1.DatasetService/ExportLabels", Needs(Permission::kRead)},
    // QueueService
    {"/labelloop.v1.QueueService/GetNextBatch", Needs(Permission::kQueue)},
    {"/labelloop.v1.QueueService/SubmitLabels", Needs(Permission::kQueue)},
    {"/labelloop.v1.QueueService/Skip", Needs(Permission::kQueue)},
    {"/labelloop.v1.QueueService/ReleaseLease", Needs(Permission::kQueue)},
    {"/labelloop.v1.QueueService/GetQueueStatus", Needs(Permission::kAnyRole)},
    // TrainingService
    {"/labelloop.v1.TrainingService/StartRound", Needs(Permission::kEngineer)},
    {"/labelloop.v1.TrainingService/GetJob", Needs(Permission::kRead)},
    {"/labelloop.v1.TrainingService/WatchJob", Needs(Permission::kRead)},
    {"/labelloop.v1.TrainingService/CancelJob", Needs(Permission::kEngineer)},
    {"/labelloop.v1.TrainingService/ListJobs", Needs(Permission::kRead)},
    // ModelService
    {"/labelloop.v1.ModelService/ListModels", Needs(Permission::kRead)},
    {"/labelloop.v1.ModelService/GetModel", Needs(Permission::kRead)},
    {"/labelloop.v1.ModelService/PromoteModel", Needs(Permission::kEngineer)},
    {"/labelloop.v1.ModelService/RollbackModel", Needs(Permission::kEngineer)},
    {"/labelloop.v1.ModelService/Predict", Needs(Permission::kRead)},
    {"/labelloop.v1.ModelService/DownloadCheckpoint", Needs(Permission::kRead)},
    // SuspectService: reviewing suspected label errors is review work.
    {"/labelloop.v1.SuspectService/ListSuspectLabels", Needs(Permission::kRead)},
    {"/labelloop.v1.SuspectService/ReviewSuspect", Needs(Permission::kReview)},
    // AnnotatorService: statistics only.
    {"/labelloop.v1.AnnotatorService/GetAnnotatorStats", Needs(Permission::kRead)},
    {"/labelloop.v1.AnnotatorService/ListOverlapImages", Needs(Permission::kRead)},
    // ReviewService: deciding on labels is review work; their history is for every reader.
    {"/labelloop.v1.ReviewService/GetNextReview", Needs(Permission::kReview)},
    {"/labelloop.v1.ReviewService/AcceptLabel", Needs(Permission::kReview)},
    {"/labelloop.v1.ReviewService/RejectLabel", Needs(Permission::kReview)},
    {"/labelloop.v1.ReviewService/EditLabel", Needs(Permission::kReview)},
    {"/labelloop.v1.ReviewService/ReleaseReview", Needs(Permission::kReview)},
    {"/labelloop.v1.ReviewService/GetLabelHistory", Needs(Permission::kRead)},
    // Standard services.
    {"/grpc.health.v1.Health/Check", Public()},
    {"/grpc.health.v1.Health/Watch", Public()},
    // Reflection describes the API only, which proto/ publishes anyway; its handler is gRPC's,
    // which cannot check a token (see server/auth/call_verdict.h), so it is public.
    {"/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", Public()},
};

}  // namespace

std::optional<MethodRule> RuleForMethod(absl::string_view full_method) {
  for (const Entry& entry : kTable) {
    if (full_method == entry.method) return entry.rule;
  }
  return std::nullopt;
}

std::vector<std::string> TableMethods() {
  std::vector<std::string> methods;
  for (const Entry& entry : kTable) methods.emplace_back(entry.method);
  return methods;
}

}  // namespace labelloop::auth
