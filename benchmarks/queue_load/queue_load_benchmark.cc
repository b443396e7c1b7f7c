// Queue load benchmark: a pool of synthetic pre-scored images, the real labelloopd on loopback,
// and many annotators pulling batches and submitting labels at once. Prints latency percentiles,
// durable labels/s and the goals of the sampling issue, then checks on disk that every
// acknowledged label is stored and that no image was labeled by two annotators.
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "benchmarks/queue_load/annotator_load.h"
#include "benchmarks/queue_load/cpu_affinity.h"
#include "benchmarks/queue_load/daemon_process.h"
#include "benchmarks/queue_load/label_audit.h"
#include "benchmarks/queue_load/latency_stats.h"
#include "benchmarks/queue_load/sched_stats.h"
#include "benchmarks/queue_load/synthetic_pool.h"
#include "common/store.h"
#include "labelloop/v1/dataset.grpc.pb.h"

ABSL_FLAG(int64_t, pool, 1000000, "Images in the synthetic pool.");
ABSL_FLAG(int32_t, embedding_dim, 0,
          "Floats in each synthetic image's stored embedding (0: none, the queue then serves by "
          "rank; 320: the default detector's pooled FPN embedding, what the hybrid picker reads "
          "and diversifies over with a real model).");
ABSL_FLAG(int64_t, labeled, 0,
          "Images of a new pool stored as already labeled (2-3 boxes each), as after a long "
          "labeling session.");
ABSL_FLAG(int, annotators, 64, "Concurrent annotators (threads, one call in flight each).");
ABSL_FLAG(double, seconds, 30, "Measured seconds of load.");
ABSL_FLAG(double, warmup, 2, "Seconds of load before measuring.");
ABSL_FLAG(double, rate, 0,
          "Offered labels/s shared by the annotators, each on a fixed schedule, latency measured "
          "from the scheduled send; 0 = closed loop (as fast as they can: capacity).");
ABSL_FLAG(int, batch, 32, "GetNextBatch count.");
ABSL_FLAG(int, channels, 8, "Connections the annotators share.");
ABSL_FLAG(std::string, data_dir, "",
          "Data folder to use. Reused without populating when it holds --pool images, populated "
          "when empty; never deleted. Default: a temporary folder.");
ABSL_FLAG(bool, keep, false, "Keep the temporary folder (data, daemon log, config).");
ABSL_FLAG(std::string, labelloopd, LABELLOOPD_PATH, "The daemon executable under test.");
ABSL_FLAG(std::string, daemon_config, "",
          "Text-format DaemonConfig fields appended to the benchmark's own config, for "
          "experiments, e.g. 'sampler { strategy: \"entropy\" }'.");
ABSL_FLAG(std::string, daemon_cpus, "",
          "CPUs for labelloopd and all its threads, as taskset -c writes them (\"0\", \"0-1\"); "
          "empty: not pinned.");
ABSL_FLAG(std::string, load_cpus, "",
          "CPUs for the load generator (this process), e.g. 1; empty: not pinned. Given apart from "
          "--daemon_cpus, the latency figures are the daemon's, not CPU queueing behind the "
          "generator's 64 threads.");
ABSL_FLAG(int, startup_timeout, 900, "Seconds the daemon gets to answer after starting.");

namespace labelloop {
namespace {

namespace fs = std::filesystem;
using SteadyClock = std::chrono::steady_clock;

// p99 of GetNextBatch(32) and durable labels/s, from the sampling issue's "Speed" section.
constexpr double kNextBatchP99GoalMs = 5.0;
constexpr double kLabelsPerSecondGoal = 5000.0;

const std::vector<std::string>& SyntheticClasses() {
  static const std::vector<std::string>* const kClasses =
      new std::vector<std::string>{"person", "car", "bicycle", "dog", "traffic_light"};
  return *kClasses;
}

double SecondsSince(SteadyClock::time_point start) {
  return std::chrono::duration<double>(SteadyClock::now() - start).count();
}

// The daemon's config: big batches allowed, and no training round ever starts, so the load
// measures the queue and the store alone.
constexpr char kDaemonConfig[] = R"pb(limits { max_batch_count: 256 }
                                      training { trigger_new_labels: 0 max_interval_seconds: 0 }
)pb";

struct PoolSetup {
  int64_t images = 0;
  bool populated = false;
  double seconds = 0.0;
  LabelAudit before;
};

absl::StatusOr<PoolSetup> PreparePool(const std::string& data_dir, int64_t pool) {
  PoolSetup setup;
  const SteadyClock::time_point start = SteadyClock::now();
  absl::StatusOr<std::unique_ptr<Store>> store = Store::Open(data_dir, StoreOptions{});
  if (!store.ok()) return store.status();
  absl::StatusOr<int64_t> images = CountImages(store->get());
  if (!images.ok()) return images.status();
  if (*images == 0) {
    SyntheticPoolOptions options;
    options.images = pool;
    options.classes = SyntheticClasses();
    options.labeled = absl::GetFlag(FLAGS_labeled);
    options.embedding_dim = absl::GetFlag(FLAGS_embedding_dim);
    if (options.embedding_dim < 0 || options.embedding_dim > 4096) {
      return absl::InvalidArgumentError(
          absl::StrCat("--embedding_dim must be in [0, 4096], got ", options.embedding_dim));
    }
    if (absl::Status status = PopulateSyntheticPool(store->get(), options); !status.ok()) {
      return status;
    }
    setup.populated = true;
    setup.images = pool;
  } else if (*images != pool) {
    return absl::FailedPreconditionError(
        absl::StrCat(data_dir, " holds ", *images, " images, not --pool=", pool,
                     "; pass --pool=", *images, " or an empty --data_dir"));
  } else {
    setup.images = *images;
  }
  absl::StatusOr<LabelAudit> before = AuditLabels(store->get());
  if (!before.ok()) return before.status();
  setup.before = *before;
  store->reset();  // Closes the store (and its folder lock) before the daemon opens it.
  setup.seconds = SecondsSince(start);
  return setup;
}

absl::StatusOr<std::vector<std::string>> ServerClasses(const std::string& address) {
  v1::DatasetService::Stub stub(NewOwnChannel(address));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  v1::GetClassesResponse response;
  grpc::Status status = stub.GetClasses(&context, v1::GetClassesRequest(), &response);
  if (!status.ok()) return absl::UnavailableError(status.error_message());
  std::vector<std::string> names;
  for (const v1::ClassInfo& c : response.classes()) names.push_back(c.name());
  if (names.empty()) return absl::FailedPreconditionError("the store has no classes");
  return names;
}

void PrintLatency(const char* name, const LatencySummary& s) {
  std::printf("%-22s n=%-8lld p50 %7.2f  p90 %7.2f  p99 %7.2f  max %8.2f  mean %7.2f ms\n", name,
              static_cast<long long>(s.count), s.p50_ms, s.p90_ms, s.p99_ms, s.max_ms, s.mean_ms);
}

const char* PassOrMiss(bool pass) { return pass ? "PASS" : "MISS"; }

// Everything a run measured, for the report.
struct RunFigures {
  PoolSetup setup;
  double startup_seconds = 0.0;
  AnnotatorLoadResult result;
  SchedTotals daemon_sched;
  SchedTotals client_sched;
  std::string load_at_start;
  std::string load_at_end;
  int exit_code = 0;
  double stop_seconds = 0.0;
  LabelAudit after;
};

// Prints the report and the goals; true when the run was clean (no RPC error, every
// acknowledged label on disk, no image labeled twice, a clean daemon exit).
bool PrintReport(const AnnotatorLoadOptions& load, RunFigures& f) {
  const LatencySummary next = Summarize(f.result.next_batch_ns);
  const LatencySummary submit = Summarize(f.result.submit_ns);
  const double labels_per_second =
      static_cast<double>(f.result.labels_acked) / f.result.window_seconds;
  const double batches_per_second = static_cast<double>(f.result.batches) / f.result.window_seconds;
  int64_t errors = 0;
  for (const auto& [code, count] : f.result.errors) errors += count;

  std::printf("\n=== queue load: report ===\n");
  std::printf("pool                   %lld images (%s in %.1f s), %lld labeled before the run\n",
              static_cast<long long>(f.setup.images), f.setup.populated ? "populated" : "reused",
              f.setup.seconds, static_cast<long long>(f.setup.before.labeled_images));
  std::printf("daemon start-up        %.2f s (spawn to first answer)\n", f.startup_seconds);
  std::printf("annotators             %d on %d connections, batch %d\n", load.annotators,
              load.channels, load.batch);
  std::printf("measured               %.1f s after %.1f s warm-up\n", f.result.window_seconds,
              load.warmup_seconds);
  if (load.labels_per_second > 0.0) {
    std::printf(
        "offered load           %.0f labels/s (one label per %.1f ms per annotator), latency from"
        " the scheduled send; %lld sends > 1 ms late, worst %.1f ms\n",
        load.labels_per_second, 1000.0 * load.annotators / load.labels_per_second,
        static_cast<long long>(f.result.late_sends), f.result.max_lag_ns / 1e6);
  } else {
    std::printf("offered load           closed loop (each annotator as fast as it can)\n");
  }
  PrintLatency("GetNextBatch", next);
  PrintLatency("SubmitLabels", submit);
  std::printf("labels/s (durable)     %.0f  (%lld acknowledged in the window, %lld in all)\n",
              labels_per_second, static_cast<long long>(f.result.labels_acked),
              static_cast<long long>(f.result.labels_acked_total));
  std::printf("labels/s over time     every %.0f s:", load.interval_seconds);
  for (double rate : f.result.labels_per_second_timeline) std::printf(" %.0f", rate);
  std::printf("\n");
  std::printf("batches/s              %.1f  (%lld items handed out, %lld short batches)\n",
              batches_per_second, static_cast<long long>(f.result.items_handed_out),
              static_cast<long long>(f.result.short_batches));
  if (f.result.short_batches > 0) {
    std::printf(
        "WARNING                the queue ran dry (short batches): later figures are not"
        " steady state; use a larger --pool\n");
  }
  const double w = f.result.window_seconds;
  std::printf(
      "CPU in the window      daemon %.2f cores busy, >= %.2f threads waiting for a CPU;"
      " load generator %.2f busy, >= %.2f waiting\n",
      f.daemon_sched.running_seconds / w, f.daemon_sched.waiting_seconds / w,
      f.client_sched.running_seconds / w, f.client_sched.waiting_seconds / w);
  std::printf("machine                %d cores; at start %s; at end %s\n",
              static_cast<int>(std::thread::hardware_concurrency()), f.load_at_start.c_str(),
              f.load_at_end.c_str());
  std::printf("errors                 %lld\n", static_cast<long long>(errors));
  for (const auto& [code, count] : f.result.errors) {
    std::printf("  code %d: %lld, first: %s\n", code, static_cast<long long>(count),
                f.result.first_error.at(code).c_str());
  }
  std::printf("daemon stop            exit %d after %.2f s (SIGTERM)\n", f.exit_code,
              f.stop_seconds);

  const int64_t new_labeled = f.after.labeled_images - f.setup.before.labeled_images;
  const int64_t new_rows = f.after.label_rows - f.setup.before.label_rows;
  const bool nothing_lost =
      new_labeled == f.result.labels_acked_total && new_rows == f.result.labels_acked_total;
  const bool no_double =
      f.after.images_with_several_annotators == 0 &&
      f.after.images_with_several_labels == f.setup.before.images_with_several_labels;
  std::printf(
      "store after the run    %lld newly labeled images, %lld new label rows, %lld acked: %s\n",
      static_cast<long long>(new_labeled), static_cast<long long>(new_rows),
      static_cast<long long>(f.result.labels_acked_total),
      nothing_lost ? "nothing lost" : "MISMATCH");
  std::printf(
      "                       %lld images labeled by two annotators, %lld with 2+ labels: %s\n",
      static_cast<long long>(f.after.images_with_several_annotators),
      static_cast<long long>(f.after.images_with_several_labels),
      no_double ? "ok" : "DOUBLE HAND-OUT");
  std::printf("\ngoals (issue 5, Speed)\n");
  std::printf("  GetNextBatch(%d) p99 < %.0f ms      %7.2f ms   %s\n", load.batch,
              kNextBatchP99GoalMs, next.p99_ms, PassOrMiss(next.p99_ms < kNextBatchP99GoalMs));
  std::printf("  durable labels/s >= %.0f       %7.0f      %s\n", kLabelsPerSecondGoal,
              labels_per_second, PassOrMiss(labels_per_second >= kLabelsPerSecondGoal));

  return errors == 0 && nothing_lost && no_double && f.exit_code == 0;
}

int Run() {
  // Written so that NaN fails too: it would make the pacing period undefined.
  if (!std::isfinite(absl::GetFlag(FLAGS_rate)) || absl::GetFlag(FLAGS_rate) < 0.0) {
    std::fprintf(stderr, "--rate must be finite and >= 0 (0 = closed loop), got %g\n",
                 absl::GetFlag(FLAGS_rate));
    return 2;
  }
  absl::StatusOr<CpuList> daemon_cpus = CpuList::Parse(absl::GetFlag(FLAGS_daemon_cpus));
  absl::StatusOr<CpuList> load_cpus = CpuList::Parse(absl::GetFlag(FLAGS_load_cpus));
  for (const absl::StatusOr<CpuList>* cpus : {&daemon_cpus, &load_cpus}) {
    if (!cpus->ok()) {
      std::fprintf(stderr, "queue_load_benchmark: %s\n",
                   std::string(cpus->status().message()).c_str());
      return 2;
    }
  }
  // Before any thread starts, so that every generator thread inherits it.
  if (absl::Status pinned = PinCallingThread(*load_cpus); !pinned.ok()) {
    std::fprintf(stderr, "queue_load_benchmark: --load_cpus: %s\n",
                 std::string(pinned.message()).c_str());
    return 2;
  }
  const int64_t pool = absl::GetFlag(FLAGS_pool);
  char pattern[] = "/tmp/queue_load.XXXXXX";
  if (mkdtemp(pattern) == nullptr) {
    std::perror("mkdtemp");
    return 1;
  }
  const fs::path run_dir = pattern;
  const std::string data_dir = absl::GetFlag(FLAGS_data_dir).empty()
                                   ? (run_dir / "data").string()
                                   : absl::GetFlag(FLAGS_data_dir);
  const auto fail = [&](const absl::Status& status) {
    std::cerr << "queue_load_benchmark: " << status.message() << "\n";
    std::error_code ec;
    if (fs::is_empty(run_dir, ec)) {
      fs::remove(run_dir, ec);
    } else {
      std::cerr << "(kept " << run_dir.string() << " for a look)\n";
    }
    return 1;
  };

  std::printf(
      "queue load benchmark: pool %lld, %d annotators, batch %d, %.0f s (+%.0f s warm-up)\n",
      static_cast<long long>(pool), absl::GetFlag(FLAGS_annotators), absl::GetFlag(FLAGS_batch),
      absl::GetFlag(FLAGS_seconds), absl::GetFlag(FLAGS_warmup));
  std::printf("data folder %s\n", data_dir.c_str());
  std::printf("CPUs: daemon %s, load generator %s\n",
              daemon_cpus->empty() ? "not pinned" : daemon_cpus->ToString().c_str(),
              load_cpus->empty() ? "not pinned" : load_cpus->ToString().c_str());
  std::fflush(stdout);
  absl::StatusOr<PoolSetup> setup = PreparePool(data_dir, pool);
  if (!setup.ok()) return fail(setup.status());
  std::printf("pool: %lld images, %s in %.1f s\n", static_cast<long long>(setup->images),
              setup->populated ? "populated" : "reused", setup->seconds);
  std::fflush(stdout);

  const fs::path config_path = run_dir / "labelloopd.textproto";
  std::ofstream(config_path) << kDaemonConfig << absl::GetFlag(FLAGS_daemon_config) << "\n";
  absl::StatusOr<int> port = PickFreeLoopbackPort();
  if (!port.ok()) return fail(port.status());
  const std::string address = absl::StrCat("127.0.0.1:", *port);
  const SteadyClock::time_point launched = SteadyClock::now();
  absl::StatusOr<std::unique_ptr<DaemonProcess>> daemon = DaemonProcess::Start(
      {absl::GetFlag(FLAGS_labelloopd), absl::StrCat("--data_dir=", data_dir),
       absl::StrCat("--config=", config_path.string()), absl::StrCat("--listen=", address)},
      (run_dir / "labelloopd.log").string(), *daemon_cpus);
  if (!daemon.ok()) return fail(daemon.status());
  absl::Status answering = (*daemon)->WaitUntilAnswering(
      address, std::chrono::seconds(absl::GetFlag(FLAGS_startup_timeout)));
  if (!answering.ok()) return fail(answering);
  const double startup_seconds = SecondsSince(launched);
  std::printf("labelloopd answering after %.2f s (pid %d, %s)\n", startup_seconds,
              static_cast<int>((*daemon)->pid()), address.c_str());
  std::fflush(stdout);

  absl::StatusOr<std::vector<std::string>> classes = ServerClasses(address);
  if (!classes.ok()) return fail(classes.status());
  AnnotatorLoadOptions load;
  load.address = address;
  load.annotators = absl::GetFlag(FLAGS_annotators);
  load.channels = absl::GetFlag(FLAGS_channels);
  load.batch = absl::GetFlag(FLAGS_batch);
  load.warmup_seconds = absl::GetFlag(FLAGS_warmup);
  load.seconds = absl::GetFlag(FLAGS_seconds);
  load.labels_per_second = absl::GetFlag(FLAGS_rate);
  load.interval_seconds = std::max(1.0, load.seconds / 10.0);
  load.classes = *classes;
  const pid_t daemon_pid = (*daemon)->pid();
  SchedTotals daemon_sched, client_sched;
  std::string load_at_start, load_at_end;
  load.on_window_start = [&] {
    daemon_sched = ReadSchedTotals(daemon_pid);
    client_sched = ReadSchedTotals(getpid());
    load_at_start = MachineLoad();
  };
  load.on_window_end = [&] {
    daemon_sched = ReadSchedTotals(daemon_pid) - daemon_sched;
    client_sched = ReadSchedTotals(getpid()) - client_sched;
    load_at_end = MachineLoad();
  };
  AnnotatorLoadResult result = RunAnnotatorLoad(load);

  const SteadyClock::time_point stopping = SteadyClock::now();
  absl::StatusOr<int> exit_code = (*daemon)->Stop(std::chrono::seconds(120));
  if (!exit_code.ok()) return fail(exit_code.status());
  const double stop_seconds = SecondsSince(stopping);
  daemon->reset();

  absl::StatusOr<std::unique_ptr<Store>> store = Store::Open(data_dir, StoreOptions{});
  if (!store.ok()) return fail(store.status());
  absl::StatusOr<LabelAudit> after = AuditLabels(store->get());
  if (!after.ok()) return fail(after.status());
  store->reset();

  RunFigures figures;
  figures.setup = *setup;
  figures.startup_seconds = startup_seconds;
  figures.result = std::move(result);
  figures.daemon_sched = daemon_sched;
  figures.client_sched = client_sched;
  figures.load_at_start = load_at_start;
  figures.load_at_end = load_at_end;
  figures.exit_code = *exit_code;
  figures.stop_seconds = stop_seconds;
  figures.after = *after;
  const bool ok = PrintReport(load, figures);
  if (ok && !absl::GetFlag(FLAGS_keep)) {
    std::error_code ignored;
    fs::remove_all(run_dir, ignored);
  } else {
    std::printf("kept %s (daemon log, config%s)\n", run_dir.c_str(),
                absl::GetFlag(FLAGS_data_dir).empty() ? ", data" : "");
  }
  return ok ? 0 : 1;
}

}  // namespace
}  // namespace labelloop

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "queue_load_benchmark [--pool=1000000] [--annotators=64] [--seconds=30] [--batch=32] "
      "[--rate=0] [--embedding_dim=0] [--daemon_cpus=LIST] [--load_cpus=LIST] [--data_dir=DIR] "
      "[--keep]");
  absl::ParseCommandLine(argc, argv);
  return labelloop::Run();
}
