// Soak: a real labelloopd on loopback with the small detector and a pool of synthetic photos,
// under everything at once for --minutes: 32 annotators (GetNextBatch + SubmitLabels with the
// true boxes, a person's thinking time apart), one reviewer (a reader where the daemon has no
// ReviewService), training rounds started periodically whose promotions re-score the pool.
// Every --report_seconds it prints errors by code, p50/p99/max latency per RPC, labels/s, and
// the daemon's resident memory, open files and threads; at the end, a verdict, and an audit of
// the store against the acknowledged labels. Exits 1 on any error, a daemon that died or did not
// stop cleanly, or labels missing. See README.md for a 10-minute run's figures.

#include <stdlib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "benchmarks/queue_load/daemon_process.h"
#include "benchmarks/queue_load/label_audit.h"
#include "benchmarks/queue_load/latency_stats.h"
#include "benchmarks/soak/process_stats.h"
#include "benchmarks/soak/rpc_recorder.h"
#include "benchmarks/soak/scene_images.h"
#include "benchmarks/soak/soak_actors.h"
#include "common/store.h"
#include "labelloop/v1/config.pb.h"
#include "labelloop/v1/dataset.grpc.pb.h"
#include "labelloop/v1/queue.grpc.pb.h"

ABSL_FLAG(double, minutes, 10.0, "How long everything runs together.");
ABSL_FLAG(int, report_seconds, 60, "One report line (and latency table) per this many seconds.");
ABSL_FLAG(int, annotators, 32, "Simulated annotators.");
ABSL_FLAG(int, think_ms, 2500,
          "An annotator's mean time per image (uniform in [0.5x, 1.5x]); 32 annotators at 2.5 s "
          "submit ~13 labels/s.");
ABSL_FLAG(int, review_ms, 1500, "The reviewer's mean time per label.");
ABSL_FLAG(int, batch, 4, "Images per GetNextBatch.");
ABSL_FLAG(int, images, 9000, "Pool size: enough that the annotators never run dry.");
ABSL_FLAG(int, image_width, 128, "Scene width in pixels.");
ABSL_FLAG(int, image_height, 96, "Scene height in pixels.");
ABSL_FLAG(int, round_every_seconds, 120,
          "A training round starts this long after the previous one started (or at once when "
          "it took longer); the first after this long.");
ABSL_FLAG(double, review_share, 0.1,
          "Share of submissions held for review (ReviewConfig SAMPLED), where the daemon has a "
          "review workflow.");
ABSL_FLAG(std::string, labelloopd, LABELLOOPD_PATH, "The daemon executable under test.");
ABSL_FLAG(std::string, work_dir, "",
          "Folder for the data, config and daemon log (default: a new one under $TMPDIR or "
          "/tmp, removed after a clean run).");
ABSL_FLAG(std::string, csv, "", "Also write one row per interval and RPC here.");
ABSL_FLAG(bool, keep, false, "Keep the work folder after a clean run.");
ABSL_FLAG(uint64_t, seed, 1, "Seed of the scenes.");

namespace labelloop {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// The small detector at a small input size, one training epoch per round, rounds only when
// asked (the soak starts them): fast enough that a round ends within a few minutes on 2 cores
// even with thousands of labels.
std::string DaemonConfig() {
  std::string config = R"pb(
    detector { min_size: 96 max_size: 128 threads: 1 }
    store { validation_share: 0.15 }
    training {
      epochs: 1
      batch_size: 8
      warmup_steps: 5
      min_train_labels: 16
      trigger_new_labels: 0
      max_interval_seconds: 0
      threads: 1
    }
  )pb";
  // The review workflow, where this build's config has it (another engineer is adding it).
  if (v1::DaemonConfig::descriptor()->FindFieldByName("review") != nullptr) {
    absl::StrAppend(&config,
                    "review { mode: SAMPLED sample_share: ", absl::GetFlag(FLAGS_review_share),
                    " }\n");
  }
  return config;
}

std::string MachineLoad() {
  std::ifstream in("/proc/loadavg");
  std::string one, five, fifteen;
  in >> one >> five >> fifteen;
  return absl::StrCat(one, " ", five, " ", fifteen);
}

// Uploads the pool in streams of a few hundred; the truth boxes by the image id the daemon gave.
absl::StatusOr<std::unordered_map<int64_t, std::vector<v1::Box>>> UploadScenes(
    const std::string& address, int images, int width, int height, uint64_t seed) {
  auto channel = NewOwnChannel(address);
  v1::DatasetService::Stub dataset(channel);
  v1::UpdateClassesRequest classes;
  for (const std::string& name : SceneClasses()) classes.add_names(name);
  v1::UpdateClassesResponse classes_reply;
  grpc::ClientContext classes_context;
  grpc::Status status = dataset.UpdateClasses(&classes_context, classes, &classes_reply);
  if (!status.ok()) return absl::InternalError("UpdateClasses: " + status.error_message());

  std::unordered_map<int64_t, std::vector<v1::Box>> truth;
  constexpr int kChunk = 500;
  for (int first = 0; first < images; first += kChunk) {
    std::unordered_map<std::string, std::vector<v1::Box>> by_name;
    v1::AddImagesResponse added;
    grpc::ClientContext context;
    auto writer = dataset.AddImages(&context, &added);
    for (int i = first; i < std::min(images, first + kChunk); ++i) {
      Scene scene = MakeScene(i, seed, width, height);
      std::vector<v1::Box>& boxes = by_name[scene.name];
      for (const SceneBox& b : scene.boxes) {
        v1::Box box;
        box.set_x1(b.x1);
        box.set_y1(b.y1);
        box.set_x2(b.x2);
        box.set_y2(b.y2);
        box.set_class_name(SceneClasses()[static_cast<size_t>(b.class_index)]);
        boxes.push_back(box);
      }
      v1::AddImagesRequest request;
      request.set_data(std::move(scene.jpeg));
      request.set_name(scene.name);
      if (!writer->Write(request)) break;
    }
    writer->WritesDone();
    status = writer->Finish();
    if (!status.ok()) return absl::InternalError("AddImages: " + status.error_message());
    if (added.rejected_size() > 0) {
      return absl::InternalError("AddImages rejected " + added.rejected(0).error());
    }
    for (const v1::AddedImage& image : added.images()) {
      truth[image.image_id()] = by_name[image.source()];
    }
  }
  return truth;
}

struct IntervalRow {
  int index = 0;
  int64_t labels = 0;
  double labels_per_second = 0;
  int64_t errors = 0;
  ProcessStats daemon;
};

std::string FormatErrors(const RpcInterval& interval) {
  if (interval.errors.empty()) return "none";
  std::vector<std::string> parts;
  for (const auto& [code, count] : interval.errors) {
    parts.push_back(
        absl::StrCat(code, " x", count, " (first: ", interval.first_error.at(code), ")"));
  }
  return absl::StrJoin(parts, ", ");
}

std::string QueueLine(const std::shared_ptr<grpc::Channel>& channel, RpcRecorder* recorder) {
  v1::QueueService::Stub queue(channel);
  v1::QueueStatus status;
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
  const Clock::time_point start = Clock::now();
  const grpc::Status got = queue.GetQueueStatus(&context, v1::GetQueueStatusRequest(), &status);
  recorder->Record("GetQueueStatus", start, got);
  if (!got.ok()) return "queue status unavailable";
  std::string line = absl::StrFormat(
      "queue: %d available, %d leased, serving %s", status.available(), status.leased(),
      status.serving_version().empty() ? "none" : status.serving_version());
  if (!status.rescoring_model_version().empty()) {
    absl::StrAppend(&line,
                    absl::StrFormat(", re-scoring for %s %d/%d%s", status.rescoring_model_version(),
                                    status.rescoring_done(), status.rescoring_total(),
                                    status.rescoring_running() ? " (running)" : ""));
  }
  return line;
}

int Run() {
  const double minutes = absl::GetFlag(FLAGS_minutes);
  const int report_seconds = std::max(1, absl::GetFlag(FLAGS_report_seconds));
  fs::path work_dir = absl::GetFlag(FLAGS_work_dir);
  if (work_dir.empty()) {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern =
        (fs::path(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") / "labelloop-soak-XXXXXX")
            .string();
    if (mkdtemp(pattern.data()) == nullptr) {
      std::perror("mkdtemp");
      return 1;
    }
    work_dir = pattern;
  }
  fs::create_directories(work_dir);
  const auto fail = [&](const absl::Status& status) {
    std::fprintf(stderr, "soak: %s\n(work folder kept: %s)\n",
                 std::string(status.message()).c_str(), work_dir.c_str());
    return 1;
  };
  const fs::path data_dir = work_dir / "data";
  const fs::path config_path = work_dir / "labelloopd.textproto";
  std::ofstream(config_path) << DaemonConfig();
  absl::StatusOr<int> port = PickFreeLoopbackPort();
  if (!port.ok()) return fail(port.status());
  const std::string address = absl::StrCat("127.0.0.1:", *port);
  absl::StatusOr<std::unique_ptr<DaemonProcess>> daemon = DaemonProcess::Start(
      {absl::GetFlag(FLAGS_labelloopd), absl::StrCat("--data_dir=", data_dir.string()),
       absl::StrCat("--config=", config_path.string()), absl::StrCat("--listen=", address)},
      (work_dir / "labelloopd.log").string());
  if (!daemon.ok()) return fail(daemon.status());
  absl::Status answering = (*daemon)->WaitUntilAnswering(address, std::chrono::seconds(120));
  if (!answering.ok()) return fail(answering);
  const pid_t pid = (*daemon)->pid();
  std::printf("soak: labelloopd pid %d on %s, work folder %s; machine load %s\n",
              static_cast<int>(pid), address.c_str(), work_dir.c_str(), MachineLoad().c_str());
  std::fflush(stdout);

  Clock::time_point phase = Clock::now();
  absl::StatusOr<std::unordered_map<int64_t, std::vector<v1::Box>>> truth =
      UploadScenes(address, absl::GetFlag(FLAGS_images), absl::GetFlag(FLAGS_image_width),
                   absl::GetFlag(FLAGS_image_height), absl::GetFlag(FLAGS_seed));
  if (!truth.ok()) return fail(truth.status());
  std::printf("soak: %zu scenes (%dx%d JPEG) uploaded in %.1f s; daemon RSS %.1f MiB\n",
              truth->size(), absl::GetFlag(FLAGS_image_width), absl::GetFlag(FLAGS_image_height),
              std::chrono::duration<double>(Clock::now() - phase).count(),
              static_cast<double>(ReadProcessStats(pid).rss_kib) / 1024.0);
  std::printf(
      "soak: %d annotators (think %d ms, batch %d), 1 reviewer, a round every %d s, "
      "for %.1f min\n",
      absl::GetFlag(FLAGS_annotators), absl::GetFlag(FLAGS_think_ms), absl::GetFlag(FLAGS_batch),
      absl::GetFlag(FLAGS_round_every_seconds), minutes);
  std::fflush(stdout);

  RpcRecorder recorder;
  std::atomic<bool> stop{false};
  std::mutex events_mu;
  std::vector<std::string> events;
  SoakShared shared;
  shared.recorder = &recorder;
  shared.stop = &stop;
  shared.truth = &*truth;
  shared.events_mu = &events_mu;
  shared.events = &events;
  shared.started = Clock::now();
  // Annotators share 8 connections, as tools behind a few proxies would; the others have theirs.
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  for (int c = 0; c < 8; ++c) channels.push_back(NewOwnChannel(address));
  AnnotatorOptions annotator;
  annotator.batch = absl::GetFlag(FLAGS_batch);
  annotator.think_ms = absl::GetFlag(FLAGS_think_ms);
  std::vector<std::thread> threads;
  for (int a = 0; a < absl::GetFlag(FLAGS_annotators); ++a) {
    threads.emplace_back(RunAnnotator, a, channels[static_cast<size_t>(a) % channels.size()],
                         annotator, std::cref(shared));
  }
  threads.emplace_back(RunReviewer, NewOwnChannel(address), absl::GetFlag(FLAGS_review_ms),
                       std::cref(shared));
  threads.emplace_back(RunRounds, NewOwnChannel(address), absl::GetFlag(FLAGS_round_every_seconds),
                       std::cref(shared));

  std::ofstream csv;
  if (!absl::GetFlag(FLAGS_csv).empty()) {
    csv.open(absl::GetFlag(FLAGS_csv));
    csv << "interval,end_seconds,rpc,calls,p50_ms,p99_ms,max_ms,labels_per_second,errors,"
           "rss_mib,open_fds,threads\n";
  }
  const auto monitor_channel = NewOwnChannel(address);
  const Clock::time_point end =
      shared.started + std::chrono::milliseconds(static_cast<int64_t>(minutes * 60000));
  std::vector<IntervalRow> rows;
  size_t events_printed = 0;
  bool daemon_died = false;
  for (Clock::time_point from = shared.started; from < end && !daemon_died;) {
    const Clock::time_point to = std::min(end, from + std::chrono::seconds(report_seconds));
    std::this_thread::sleep_until(to);
    const double seconds = std::chrono::duration<double>(to - from).count();
    const double at = std::chrono::duration<double>(to - shared.started).count();
    from = to;
    daemon_died = !(*daemon)->Running();
    const std::string queue_line =
        daemon_died ? "daemon exited" : QueueLine(monitor_channel, &recorder);
    RpcInterval interval = recorder.TakeInterval();
    IntervalRow row;
    row.index = static_cast<int>(rows.size()) + 1;
    row.labels = interval.labels_acked;
    row.labels_per_second = static_cast<double>(interval.labels_acked) / seconds;
    for (const auto& [code, count] : interval.errors) row.errors += count;
    row.daemon = ReadProcessStats(pid);
    rows.push_back(row);
    std::printf("\n[soak] interval %d (to %.0f s): %.1f labels/s; errors: %s\n", row.index, at,
                row.labels_per_second, FormatErrors(interval).c_str());
    std::printf(
        "  daemon: RSS %.1f MiB (peak %.1f), %lld open fds, %lld threads, CPU %.0f s; "
        "load %s\n",
        static_cast<double>(row.daemon.rss_kib) / 1024.0,
        static_cast<double>(row.daemon.peak_rss_kib) / 1024.0,
        static_cast<long long>(row.daemon.open_fds), static_cast<long long>(row.daemon.threads),
        row.daemon.cpu_seconds, MachineLoad().c_str());
    std::printf("  %s\n", queue_line.c_str());
    std::printf("  %-15s %7s %9s %9s %9s\n", "rpc", "calls", "p50 ms", "p99 ms", "max ms");
    for (auto& [rpc, nanos] : interval.latency_ns) {
      const LatencySummary s = Summarize(nanos);
      std::printf("  %-15s %7lld %9.1f %9.1f %9.1f\n", rpc.c_str(), static_cast<long long>(s.count),
                  s.p50_ms, s.p99_ms, s.max_ms);
      if (csv.is_open()) {
        csv << absl::StrFormat("%d,%.0f,%s,%d,%.2f,%.2f,%.2f,%.2f,%d,%.1f,%d,%d\n", row.index, at,
                               rpc, s.count, s.p50_ms, s.p99_ms, s.max_ms, row.labels_per_second,
                               row.errors, static_cast<double>(row.daemon.rss_kib) / 1024.0,
                               row.daemon.open_fds, row.daemon.threads);
      }
    }
    {
      std::lock_guard<std::mutex> lock(events_mu);
      for (; events_printed < events.size(); ++events_printed) {
        std::printf("  %s\n", events[events_printed].c_str());
      }
    }
    std::fflush(stdout);
  }
  stop = true;
  for (std::thread& thread : threads) thread.join();
  RpcInterval tail = recorder.TakeInterval();  // calls that ended after the last report
  int64_t errors = 0;
  for (const IntervalRow& row : rows) errors += row.errors;
  for (const auto& [code, count] : tail.errors) errors += count;
  int64_t acked = tail.labels_acked;
  for (const IntervalRow& row : rows) acked += row.labels;

  // Clean stop, then the store against what was acknowledged.
  bool ok = !daemon_died && errors == 0;
  absl::StatusOr<int> exit_code =
      daemon_died ? absl::StatusOr<int>(-1) : (*daemon)->Stop(std::chrono::seconds(120));
  if (!exit_code.ok() || *exit_code != 0) {
    ok = false;
    std::printf("\nsoak: labelloopd did not stop cleanly (%s); log tail:\n%s\n",
                exit_code.ok() ? absl::StrCat("exit ", *exit_code).c_str()
                               : std::string(exit_code.status().message()).c_str(),
                (*daemon)->LogTail(4000).c_str());
  }
  daemon->reset();
  absl::StatusOr<std::unique_ptr<Store>> store = Store::Open(data_dir.string(), StoreOptions{});
  if (!store.ok()) return fail(store.status());
  absl::StatusOr<LabelAudit> audit = AuditLabels(store->get());
  if (!audit.ok()) return fail(audit.status());
  store->reset();

  // Verdict: memory from the second interval (after start-up allocations and the first model)
  // to the last.
  std::printf(
      "\n[soak] verdict after %.1f min: %lld errors; %lld labels acknowledged, %lld "
      "label versions stored (%s)\n",
      minutes, static_cast<long long>(errors), static_cast<long long>(acked),
      static_cast<long long>(audit->label_rows),
      audit->label_rows >= acked ? "none missing" : "MISSING LABELS");
  if (audit->label_rows < acked) ok = false;
  if (rows.size() >= 2) {
    const ProcessStats& first = rows[rows.size() >= 3 ? 1 : 0].daemon;
    const ProcessStats& last = rows.back().daemon;
    std::printf(
        "  daemon RSS %.1f -> %.1f MiB (interval %d -> %zu), peak %.1f MiB; open fds %lld "
        "-> %lld; threads %lld -> %lld\n",
        static_cast<double>(first.rss_kib) / 1024.0, static_cast<double>(last.rss_kib) / 1024.0,
        rows.size() >= 3 ? 2 : 1, rows.size(), static_cast<double>(last.peak_rss_kib) / 1024.0,
        static_cast<long long>(first.open_fds), static_cast<long long>(last.open_fds),
        static_cast<long long>(first.threads), static_cast<long long>(last.threads));
  }
  {
    std::lock_guard<std::mutex> lock(events_mu);
    for (; events_printed < events.size(); ++events_printed) {
      std::printf("  %s\n", events[events_printed].c_str());
    }
  }
  std::printf("  daemon stopped %s\n", ok ? "cleanly" : "(see above)");
  if (ok && !absl::GetFlag(FLAGS_keep) && absl::GetFlag(FLAGS_work_dir).empty()) {
    std::error_code ignored;
    fs::remove_all(work_dir, ignored);
  } else {
    std::printf("  work folder kept: %s\n", work_dir.c_str());
  }
  return ok ? 0 : 1;
}

}  // namespace
}  // namespace labelloop

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "soak_benchmark [--minutes=10] [--annotators=32] [--images=12000] [--csv=FILE]");
  absl::ParseCommandLine(argc, argv);
  return labelloop::Run();
}
