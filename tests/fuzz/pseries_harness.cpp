#include "pseries_harness.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <mutex>

#include <libfdt.h>
#include <spdlog/sinks/base_sink.h>

#include "mosaic/errors.hpp"
#include "mosaic/ppc_hash.hpp"

namespace mosaic::fuzz {

namespace {

constexpr unsigned kHptOrder = ppc::HashPageTable::kMinOrder;  // cleared per run: keep it small
constexpr std::uint64_t kRtasHypercall = 0xf000;

// The POWER8 page sizes, as the interp accelerator offers them.
std::vector<ppc::SegmentPageSizes> power8_page_sizes() {
  return {{12, 0x000, {{12, 0x0}, {16, 0x7}, {24, 0x38}}}, {16, 0x110, {{16, 0x1}, {24, 0x8}}}, {24, 0x100, {{24, 0x0}}}};
}

[[noreturn]] void violation(const std::string& what) {
  std::fprintf(stderr, "pseries harness: %s\n", what.c_str());
  std::abort();
}

// A handler that threw is logged at error level (and answered H_HARDWARE):
// for a fuzzer, that is a crash.
class FailOnErrorSink final : public spdlog::sinks::base_sink<std::mutex> {
 protected:
  void sink_it_(const spdlog::details::log_msg& message) override {
    if (message.level >= spdlog::level::err) {
      violation(std::string(message.payload.data(), message.payload.size()));
    }
  }
  void flush_() override {}
};

class ScriptConsole final : public Console {
 public:
  void write(std::span<const std::byte> bytes) override { written += bytes.size(); }
  std::size_t read(std::span<std::byte> out) override {
    std::lock_guard lock(mutex);
    std::size_t count = 0;
    while (count < out.size() && !input.empty()) {
      out[count++] = input.front();
      input.pop_front();
    }
    return count;
  }
  void on_input(std::function<void()>) override {}

  std::mutex mutex;
  std::deque<std::byte> input;
  std::size_t written = 0;
};

// The big-endian ELF64 image of a two-instruction kernel at 0x10000; the
// scripted vCPU never runs it, but the machine loads it as it would Linux.
std::vector<std::uint8_t> tiny_kernel() {
  std::vector<std::uint8_t> image;
  const auto put = [&image](std::uint64_t value, unsigned bytes) {
    for (unsigned i = 0; i < bytes; ++i) image.push_back(static_cast<std::uint8_t>(value >> (8 * (bytes - 1 - i))));
  };
  put(0x7f454c4602020100, 8);  // ELF magic, 64-bit, big-endian, version 1
  put(0, 8);
  put(2, 2), put(21, 2), put(1, 4);  // ET_EXEC, EM_PPC64, EV_CURRENT
  put(0x10000, 8), put(64, 8), put(0, 8);  // entry, program headers, no sections
  put(0, 4), put(64, 2), put(56, 2), put(1, 2), put(64, 2), put(0, 2), put(0, 2);
  put(1, 4), put(5, 4), put(120, 8);  // PT_LOAD, R+X, file offset
  put(0x10000, 8), put(0x10000, 8), put(8, 8), put(0x1000, 8), put(0x10000, 8);
  put(0x48000000, 4), put(0x60000000, 4);  // b . ; nop
  return image;
}

}  // namespace

// The HPT storage, remembering which entries each hypercall wrote.
class CheckedHashPageTable final : public ppc::HashPageTable {
 public:
  ppc::HptStatus allocate(unsigned order) override {
    if (order < kMinOrder || order > kMaxOrder) return ppc::HptStatus::out_of_range;
    order_ = order;
    entries_.assign((std::uint64_t{1} << order) / ppc::hpte::kBytes, ppc::Hpte{});
    written_.clear();
    return ppc::HptStatus::ok;
  }
  unsigned order() const override { return order_; }
  ppc::HptStatus read_hptes(std::uint64_t ptex, std::span<ppc::Hpte> out) override {
    if (ptex > entries_.size() || out.size() > entries_.size() - ptex) return ppc::HptStatus::out_of_range;
    std::copy_n(entries_.begin() + static_cast<std::ptrdiff_t>(ptex), out.size(), out.begin());
    return ppc::HptStatus::ok;
  }
  ppc::HptStatus write_hpte(std::uint64_t ptex, const ppc::Hpte& entry) override {
    if (ptex >= entries_.size()) return ppc::HptStatus::out_of_range;
    entries_[ptex] = (entry.v & ppc::hpte::kValid) ? entry : ppc::Hpte{};
    written_.push_back(ptex);
    return ppc::HptStatus::ok;
  }

  // PAPR 14.5.4.1.1 (H_ENTER): the page size must be one the partition was
  // offered, the hypervisor's software bits (57:58 of the first doubleword)
  // stay clear, and the page is RAM mapped M=1, I=0 or I/O space mapped
  // I=1, never partly each.
  void check_written(const std::vector<ppc::SegmentPageSizes>& sizes, std::uint64_t ram_bytes) {
    for (const std::uint64_t ptex : written_) {
      const ppc::Hpte& entry = entries_[ptex];
      if (!(entry.v & ppc::hpte::kValid)) continue;
      if (entry.v & 0x60) violation("an HPTE holds the hypervisor's software bits");
      std::optional<unsigned> shift;
      if (!(entry.v & ppc::hpte::kLarge)) shift = 12;
      for (const auto& segment : sizes) {
        if (!shift) shift = ppc::hpte_page_shift(segment, entry);
      }
      if (!shift) violation("an HPTE with a page size the partition was not offered");
      const std::uint64_t page = std::uint64_t{1} << *shift;
      const std::uint64_t start = entry.r & 0x0ffffffffffff000ull & ~(page - 1);
      const std::uint64_t wimg = entry.r & 0x78;
      if (start < ram_bytes) {
        if (page > ram_bytes - start) violation("an HPTE maps a page that is partly RAM, partly not");
        if (wimg != 0x10) violation("an HPTE maps RAM other than coherent and cacheable");
      } else if (!(wimg & 0x20) || (wimg & 0x40)) {
        violation("an HPTE maps I/O space other than cache-inhibited");
      }
    }
    written_.clear();
  }

 private:
  unsigned order_ = 0;
  std::vector<ppc::Hpte> entries_;
  std::vector<std::uint64_t> written_;
};

class PseriesHarness::Host final : public mosaic::Host {
 public:
  explicit Host(GuestMemory& memory) : memory_(memory) {}
  std::shared_ptr<spdlog::logger> logger(std::string_view name) override {
    auto logger = std::make_shared<spdlog::logger>(std::string(name), sink_);
    // Every message is formatted, so that a bad format string shows.
    logger->set_level(spdlog::level::trace);
    return logger;
  }
  Console& console() override { return console_; }
  GuestMemory& guest_memory() override { return memory_; }

  ScriptConsole console_;

 private:
  GuestMemory& memory_;
  std::shared_ptr<FailOnErrorSink> sink_ = std::make_shared<FailOnErrorSink>();
};

// vCPU 0 plays the script; the others, once started, idle until stopped.
class ScriptedVcpu final : public Vcpu {
 public:
  ScriptedVcpu(std::uint32_t id, PseriesHarness& harness) : id_(id), harness_(harness) {}
  std::uint32_t id() const override { return id_; }

  VcpuExit run() override {
    VcpuExit exit;
    {
      std::unique_lock lock(mutex_);
      if (id_ != 0) wake_.wait(lock, [this] { return stop_; });
      if (stop_) {
        stop_ = false;
        return exit;  // ExitReason::stopped
      }
    }
    if (!booted_) {
      booted_ = true;
      harness_.booted(registers_);
    }
    std::optional<ScriptedCall> call = harness_.next_call();
    if (!call) {
      exit.reason = ExitReason::halted;
      exit.halt_reason = "end of the script";
      return exit;
    }
    exit.reason = ExitReason::hypercall;
    exit.hypercall = call->registers;
    return exit;
  }
  void complete_hypercall(std::int64_t status, std::span<const std::uint64_t> outputs) override {
    if (id_ != 0) violation("a hypercall completed on a vCPU that made none");
    harness_.completed(status, outputs);
  }
  void complete_mmio_read(std::uint64_t) override { violation("an MMIO completion for a vCPU that made none"); }
  void fail_mmio() override { violation("an MMIO failure for a vCPU that made none"); }
  void request_stop() override {
    std::lock_guard lock(mutex_);
    stop_ = true;
    wake_.notify_all();
  }
  void set_external_interrupt(bool) override {}
  void cede() override {}
  ppc::Registers registers() const override { return registers_; }
  void set_registers(const ppc::Registers& registers) override { registers_ = registers; }
  void set_debug(const GuestDebug&) override {}

 private:
  std::uint32_t id_;
  PseriesHarness& harness_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  bool booted_ = false;
  ppc::Registers registers_;
};

class PseriesHarness::Accelerator final : public mosaic::Accelerator {
 public:
  explicit Accelerator(PseriesHarness& harness) : harness_(harness) {}
  AcceleratorCaps capabilities() const override {
    AcceleratorCaps caps;
    caps.pvr = 0x004d0200;  // POWER8
    caps.segment_page_sizes = page_sizes_;
    return caps;
  }
  ppc::HashPageTable& hash_page_table() override { return table_; }
  std::unique_ptr<Vcpu> create_vcpu(std::uint32_t id) override { return std::make_unique<ScriptedVcpu>(id, harness_); }

  PseriesHarness& harness_;
  std::vector<ppc::SegmentPageSizes> page_sizes_ = power8_page_sizes();
  CheckedHashPageTable table_;
};

PseriesHarness::PseriesHarness(std::uint64_t memory_bytes)
    : memory_bytes_(memory_bytes), ram_(memory_bytes), host_(std::make_unique<Host>(ram_.memory())),
      accelerator_(std::make_unique<Accelerator>(*this)) {
  char path[] = "/tmp/mosaic-fuzz-kernel-XXXXXX";
  const int fd = mkstemp(path);
  if (fd < 0) violation("cannot create the kernel image");
  close(fd);
  kernel_path_ = path;
  const auto image = tiny_kernel();
  std::ofstream(kernel_path_, std::ios::binary).write(reinterpret_cast<const char*>(image.data()),
                                                      static_cast<std::streamsize>(image.size()));
}

PseriesHarness::~PseriesHarness() { std::remove(kernel_path_.c_str()); }

std::optional<std::string> PseriesHarness::run(MachineSetup setup) {
  ram_.clear();
  script_.assign(std::make_move_iterator(setup.script.begin()), std::make_move_iterator(setup.script.end()));
  {
    std::lock_guard lock(host_->console_.mutex);
    host_->console_.input.assign(setup.console_input.begin(), setup.console_input.end());
  }
  rtas_tokens_.clear();
  MachineSpec spec{memory_bytes_, setup.cpus, kernel_path_, "", setup.cmdline};
  pseries::PseriesOptions options;
  options.hpt_order = kHptOrder;
  pseries::PseriesMachine machine(*host_, spec, options);
  machine_ = &machine;
  std::optional<std::string> refused;
  try {
    machine.build(*accelerator_);
    for (auto& node : setup.device_nodes) machine.add_device_tree_node(std::move(node));
    machine.run();
  } catch (const SetupError& error) {
    refused = error.what();
  }
  machine_ = nullptr;
  return refused;
}

std::optional<ScriptedCall> PseriesHarness::next_call() {
  if (script_.empty()) return std::nullopt;
  current_ = std::move(script_.front());
  script_.pop_front();
  if (!current_.store.empty()) memory().write(current_.store_address, current_.store);
  return current_;
}

void PseriesHarness::booted(const ppc::Registers& registers) {
  // DESIGN.md section 4: r3 holds the device tree's real address.
  const std::uint64_t address = registers.gpr[3];
  const std::byte* header = memory().host_pointer(address, sizeof(fdt_header));
  if (header == nullptr) violation("r3 does not point at a device tree in RAM");
  const std::uint64_t size = fdt_totalsize(header);
  const std::byte* blob = memory().host_pointer(address, size);
  if (blob == nullptr || fdt_check_full(blob, size) != 0) violation("the machine booted with a malformed device tree");
  const int rtas = fdt_path_offset(blob, "/rtas");
  if (rtas < 0) violation("the device tree has no /rtas");
  for (int property = fdt_first_property_offset(blob, rtas); property >= 0;
       property = fdt_next_property_offset(blob, property)) {
    const char* name = nullptr;
    int length = 0;
    const auto* value = static_cast<const std::uint8_t*>(fdt_getprop_by_offset(blob, property, &name, &length));
    if (length == 4) rtas_tokens_[name] = std::uint32_t{value[0]} << 24 | value[1] << 16 | value[2] << 8 | value[3];
  }
  if (boot_check_) boot_check_(std::span(blob, size));
}

void PseriesHarness::completed(std::int64_t status, std::span<const std::uint64_t> outputs) {
  // PAPR's return codes: success and the positive busy/partial codes, the
  // negative errors down to the H_UNSUPPORTED_FLAG range, the long-busy
  // hints.
  if (!((status >= -320 && status <= 18) || (status >= 9900 && status <= 9905))) {
    violation("hypercall " + std::to_string(current_.registers.args[0]) + " returned " + std::to_string(status));
  }
  if (outputs.size() > 9) violation("more outputs than r4-r12");
  accelerator_->table_.check_written(accelerator_->page_sizes_, memory_bytes_);
  // RTAS stop-self on the only running vCPU leaves the partition with
  // nothing to run, as on real hardware: end the run there.
  if (current_.registers.args[0] == kRtasHypercall) {
    std::array<std::byte, 4> token{};
    const auto stop_self = rtas_tokens_.find("stop-self");
    if (stop_self != rtas_tokens_.end() && memory().read(current_.registers.args[1], token) &&
        (std::to_integer<std::uint32_t>(token[0]) << 24 | std::to_integer<std::uint32_t>(token[1]) << 16 |
         std::to_integer<std::uint32_t>(token[2]) << 8 | std::to_integer<std::uint32_t>(token[3])) ==
            stop_self->second) {
      machine_->request_shutdown({RunOutcome::Kind::power_off, "vCPU 0 stopped itself"});
    }
  }
}

}  // namespace mosaic::fuzz
