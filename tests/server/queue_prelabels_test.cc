// GetNextBatch's pre-labels over in-process gRPC, right after a promotion: the pool holds the
// previous model's stored pre-labels and re-scoring has not reached it yet. The handler used to
// predict such images on demand with the new model (four forward passes per call, beside
// training and re-scoring), which stalled annotators for seconds after every promotion
// (benchmarks/soak). Deterministic: the re-scoring "in progress" is a rescorer that was never
// told of the promotion, so no timing is involved.

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <filesystem>

#include "common/durable_file.h"
#include "common/image_validation.h"
#include "common/sha256.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "inference/fcos.h"
#include "labelloop/v1/model.pb.h"
#include "labelloop/v1/queue.grpc.pb.h"
#include "server/auth/call_admission.h"
#include "server/model_registry.h"
#include "server/queue_service.h"
#include "tests/common/temp_dir.h"
#include "trainer/model_version_writer.h"

namespace labelloop {
namespace {

const std::vector<std::string> kClasses = {"RBC", "WBC", "Platelets"};

class QueuePrelabelsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = Store::Open(dir_.path(), StoreOptions{});
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    ASSERT_TRUE(store_->SetClasses(kClasses).ok());
    auto queue = LabelQueue::Create(store_.get(), QueueOptions{}, &clock_);
    ASSERT_TRUE(queue.ok()) << queue.status();
    queue_ = *std::move(queue);
    auto registry = ModelRegistry::Open(dir_.path() + "/models", store_.get(), 1, &clock_);
    ASSERT_TRUE(registry.ok()) << registry.status();
    registry_ = *std::move(registry);
    PoolRescorerOptions rescorer_options;
    rescorer_options.label_assist_threshold = 0.0f;
    rescorer_ = std::make_unique<PoolRescorer>(store_.get(), queue_.get(), rescorer_options);
    service_ = std::make_unique<QueueServiceImpl>(queue_.get(), store_.get(), registry_.get(),
                                                  rescorer_.get(), "random", [](int64_t) {});
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> factories;
    factories.push_back(admission_.InterceptorFactory());
    builder.experimental().SetInterceptorCreators(std::move(factories));
    builder.RegisterService(service_.get());
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    stub_ = v1::QueueService::NewStub(
        grpc::CreateChannel(absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials()));
  }
  void TearDown() override {
    if (server_ != nullptr) server_->Shutdown();
  }

  // Real photos, so that predicting them would work: only their stored pre-labels may come back.
  std::vector<int64_t> AddBccd(int count) {
    std::string dir = std::string(LABELLOOP_DATASETS_DIR) + "/bccd/JPEGImages/";
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
      names.push_back(entry.path().string());
    }
    std::sort(names.begin(), names.end());
    std::vector<NewImage> images;
    for (int i = 0; i < count; ++i) {
      std::string bytes = *ReadFileLimited(names[i], 1 << 24);
      ImageInfo info = *ValidateEncodedImage(bytes, ImageLimits{});
      images.push_back({names[i], Sha256Hex(bytes), false, static_cast<int64_t>(bytes.size()),
                        info.width, info.height});
    }
    absl::StatusOr<std::vector<AddImageResult>> added = store_->AddImages(images);
    EXPECT_TRUE(added.ok()) << added.status();
    std::vector<int64_t> ids;
    for (const AddImageResult& r : *added) ids.push_back(r.image_id);
    queue_->AddImages(ids);
    return ids;
  }
  // A real version on disk, as a training job writes it.
  void WriteAndPromote(int64_t number) {
    torch::manual_seed(number);
    FcosOptions options;
    options.num_classes = static_cast<int64_t>(kClasses.size()) + 1;
    options.min_size = 96;
    options.max_size = 128;
    Fcos model(options);
    ModelVersionInfo info;
    info.version = VersionName(number);
    info.class_names = kClasses;
    info.detector_config = "min_size: 96 max_size: 128";
    ASSERT_TRUE(WriteModelVersion(dir_.path() + "/models", *model, info).ok());
    auto promoted = registry_->Promote(info.version, "test");
    ASSERT_TRUE(promoted.ok()) << promoted.status();
  }
  // What pool scoring with `version` stored for an image: one box of class `name`.
  void StorePrelabels(int64_t image_id, const std::string& version, const std::string& name) {
    v1::PredictResponse predictions;
    predictions.set_model_version(version);
    v1::Box* box = predictions.add_detections();
    box->set_x1(10), box->set_y1(20), box->set_x2(30), box->set_y2(40);
    box->set_score(0.9f);
    box->set_class_name(name);
    ASSERT_TRUE(store_
                    ->Transact([&](SqliteDb* db) -> absl::Status {
                      auto put = db->Prepare(
                          "INSERT OR REPLACE INTO image_scores(image_id, model_version,"
                          " uncertainty, parts, predictions, scored_ms) VALUES(?,?,?,?,?,?)");
                      if (!put.ok()) return put.status();
                      return put->Bind(1, image_id)
                          .Bind(2, version)
                          .Bind(3, 0.5)
                          .BindBlob(4, v1::ScoreParts().SerializeAsString())
                          .BindBlob(5, predictions.SerializeAsString())
                          .Bind(6, int64_t{1})
                          .Run();
                    })
                    .ok());
  }

  TempDir dir_;
  SystemClock clock_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<LabelQueue> queue_;
  std::unique_ptr<ModelRegistry> registry_;
  std::unique_ptr<PoolRescorer> rescorer_;
  auth::CallAdmission admission_{std::nullopt, v1::LimitsConfig(), &clock_};
  std::unique_ptr<QueueServiceImpl> service_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<v1::QueueService::Stub> stub_;
};

TEST_F(QueuePrelabelsTest, AfterAPromotionServesStoredPrelabelsWithoutRunningTheNewModel) {
  std::vector<int64_t> ids = AddBccd(3);
  StorePrelabels(ids[0], "v1", "RBC");  // Not reached by v2's re-scoring yet.
  StorePrelabels(ids[1], "v2", "WBC");  // Already re-scored.
  // ids[2]: never scored (added just now).
  WriteAndPromote(1);
  WriteAndPromote(2);
  ASSERT_EQ(registry_->Serving()->version(), "v2");

  grpc::ClientContext context;
  v1::GetNextBatchRequest request;
  request.set_count(3);
  request.set_annotator("ann");
  v1::GetNextBatchResponse response;
  grpc::Status status = stub_->GetNextBatch(&context, request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(response.items_size(), 3);
  for (const v1::QueueItem& item : response.items()) {
    SCOPED_TRACE(item.image_id());
    if (item.image_id() == ids[0]) {
      // The previous model's pre-labels, marked as such, instead of v2 predicting while the
      // annotator waits.
      EXPECT_EQ(item.model_version(), "v1");
      ASSERT_EQ(item.predictions_size(), 1);
      EXPECT_EQ(item.predictions(0).class_name(), "RBC");
    } else if (item.image_id() == ids[1]) {
      EXPECT_EQ(item.model_version(), "v2");
      ASSERT_EQ(item.predictions_size(), 1);
      EXPECT_EQ(item.predictions(0).class_name(), "WBC");
    } else {
      // Nothing stored: none now (pool scoring does it next), rather than a forward pass here.
      EXPECT_EQ(item.image_id(), ids[2]);
      EXPECT_EQ(item.model_version(), "");
      EXPECT_EQ(item.predictions_size(), 0);
    }
  }
}

}  // namespace
}  // namespace labelloop
