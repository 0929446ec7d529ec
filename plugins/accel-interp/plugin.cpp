// The interpreting accelerator: runs a POWER8-class guest on any host.
#include <atomic>
#include <chrono>
#include <map>
#include <memory>

#include "hash_table_storage.hpp"
#include "interp_vcpu.hpp"
#include "mosaic/plugin.hpp"

namespace mosaic::interp {

namespace {

// PVR of a POWER8 DD2.0, which Linux and QEMU's pseries both recognise.
constexpr std::uint32_t kPower8Pvr = 0x004d0200;

// The page sizes POWER8 offers a partition (base shift, SLB L||LP, and the
// actual sizes with their HPTE LP encodings), as ibm,segment-page-sizes
// publishes them.
std::vector<ppc::SegmentPageSizes> power8_page_sizes() {
  return {
      {12, 0x000, {{12, 0x0}, {16, 0x7}, {24, 0x38}}},
      {16, 0x110, {{16, 0x1}, {24, 0x8}}},
      {24, 0x100, {{24, 0x0}}},
  };
}

class InterpAccelerator final : public Accelerator {
 public:
  InterpAccelerator(GuestMemory& memory, std::shared_ptr<spdlog::logger> log, bool deterministic, bool compile)
      : log_(std::move(log)), deterministic_(deterministic), compile_(compile), code_invalidations_(memory.size()),
        storage_(generation_),
        memory_system_{memory, storage_, power8_page_sizes(), generation_, code_invalidations_} {
    memory.set_write_listener(
        [this](std::uint64_t real, std::uint64_t length) { code_invalidations_.host_wrote(real, length); });
  }

  // The vCPUs are gone by now (the machine owns them): report their work,
  // each vCPU's first when there are several, as each runs on its own host
  // thread.
  ~InterpAccelerator() override {
    memory_system_.memory.set_write_listener({});
    const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - created_;
    const std::map<std::uint32_t, VcpuWork::Record> records = work_.records();
    std::uint64_t retired = 0;
    for (const auto& [vcpu, record] : records) retired += record.instructions;
    if (retired == 0) return;
    if (records.size() > 1) {
      for (const auto& [vcpu, record] : records) {
        const std::chrono::duration<double> running = record.running;
        log_->info("vCPU {}: {} instructions, {:.2f} s running, {:.0f} MIPS", vcpu, record.instructions,
                   running.count(), running.count() > 0 ? static_cast<double>(record.instructions) / running.count() / 1e6 : 0.0);
      }
    }
    log_->info("{} instructions in {:.2f} s ({:.0f} MIPS)", retired, elapsed.count(),
               static_cast<double>(retired) / elapsed.count() / 1e6);
  }

  AcceleratorCaps capabilities() const override {
    AcceleratorCaps caps;
    caps.pvr = kPower8Pvr;
    caps.segment_page_sizes = memory_system_.segment_page_sizes;
    caps.hpt_in_kernel = false;
    caps.deterministic = deterministic_;
    caps.saves_state = true;
    // Breakpoints are compared against every instruction's address, so
    // there is no hardware limit on their number.
    caps.debug = DebugFeatures{true, 64, 4, true};
    return caps;
  }

  ppc::HashPageTable& hash_page_table() override { return storage_; }

  std::uint64_t timebase() const override {
    return deterministic_ ? clock_.timebase : host_timebase() + memory_system_.host_timebase_offset;
  }
  void set_timebase(std::uint64_t value) override {
    if (deterministic_) clock_.timebase = value;
    else memory_system_.host_timebase_offset = value - host_timebase();
  }

  std::unique_ptr<Vcpu> create_vcpu(std::uint32_t id) override {
    auto vcpu = std::make_unique<InterpVcpu>(id, memory_system_, kPower8Pvr, work_);
    vcpu->set_deterministic_clock(deterministic_ ? &clock_ : nullptr);
    vcpu->compile_hot_runs(compile_ ? kHotRunExecutions : 0);
    return vcpu;
  }

 private:
  // Most of a boot's code runs a few times: compiling it would cost more
  // than it saves. Loops run far more often than this.
  static constexpr unsigned kHotRunExecutions = 32;

  std::shared_ptr<spdlog::logger> log_;
  bool deterministic_;
  bool compile_;
  DeterministicClock clock_;
  const std::chrono::steady_clock::time_point created_ = std::chrono::steady_clock::now();
  VcpuWork work_;
  std::atomic<std::uint64_t> generation_{0};
  CodeInvalidations code_invalidations_;
  HashTableStorage storage_;
  MemorySystem memory_system_;
};

std::unique_ptr<Accelerator> create_interp_accelerator(const AcceleratorSetup& setup) {
  setup.options.expect_keys({"deterministic", "compile"});
  return std::make_unique<InterpAccelerator>(setup.host.guest_memory(), setup.host.logger("interp"),
                                             setup.options.child("deterministic").as_bool(false),
                                             setup.options.child("compile").as_bool(true));
}

}  // namespace

}  // namespace mosaic::interp

MOSAIC_PLUGIN(accelerator, "interp", "0.1.0", "interpreting POWER8 CPU (Power ISA 2.07B), runs on any host",
              mosaic::interp::create_interp_accelerator)
