#include "pseries_machine.hpp"

#include <bit>
#include <fstream>
#include <utility>

#include <fmt/format.h>

#include "elf_loader.hpp"
#include "page_sizes.hpp"
#include "mosaic/ppc_hash.hpp"

namespace mosaic::pseries {

namespace {

// The real-mode area Linux uses before its MMU is on: firmware-provided
// blobs (RTAS, the device tree) must sit inside it.
constexpr std::uint64_t kRealModeAreaLimit = std::uint64_t{1} << 30;
constexpr std::uint64_t kInitrdAlignment = 0x10000;
// Room kept for the device tree below RTAS.
constexpr std::uint64_t kDeviceTreeRoom = 1 << 20;
constexpr std::uint32_t kVtyUnitAddress = 0x71000000;
constexpr std::uint32_t kInterruptSources = 1024;

std::uint64_t align_up(std::uint64_t value, std::uint64_t alignment) { return (value + alignment - 1) & ~(alignment - 1); }

// PAPR's recommended HPT size: 1/128 of RAM, at least 256 KiB.
unsigned default_hpt_order(std::uint64_t ram_bytes) {
  const unsigned ram_order = static_cast<unsigned>(std::bit_width(ram_bytes) - 1);
  return std::max(18u, ram_order - 7);
}

}  // namespace

PseriesMachine::PseriesMachine(Host& host, MachineSpec spec, PseriesOptions options)
    : host_(host), spec_(std::move(spec)), options_(std::move(options)), log_(host.logger("pseries")),
      hypercalls_(host.logger("pseries.hcall")) {}

PseriesMachine::~PseriesMachine() {
  // The threads use everything else: they go first.
  threads_.reset();
}

void PseriesMachine::build(Accelerator& accelerator) {
  accelerator_ = &accelerator;
  caps_ = accelerator.capabilities();
  page_sizes_ = limit_page_sizes(caps_.segment_page_sizes, options_.hpt_max_page_shift,
                                 options_.hpt_mixed_page_sizes);
  if (page_sizes_.empty()) {
    throw SetupError(fmt::format("machine.hpt-max-page-size: the accelerator has no page size of at most {} KiB",
                                 (std::uint64_t{1} << options_.hpt_max_page_shift) >> 10));
  }
  load_images();
  hpt_order_ = options_.hpt_order ? options_.hpt_order : default_hpt_order(spec_.memory_bytes);
  allocate_hash_page_table();

  for (unsigned i = 0; i < spec_.cpus; ++i) vcpus_.push_back(accelerator.create_vcpu(i));
  vcpu_areas_.resize(spec_.cpus);
  threads_ = std::make_unique<VcpuThreads>(
      vcpus_, [this](std::size_t index, Vcpu& vcpu, const VcpuExit& exit) { handle_exit(index, vcpu, exit); },
      [this](std::size_t index) { vcpu_dispatched(index); }, caps_.deterministic, host_.logger("pseries.vcpu"));
  xics_ = std::make_unique<Xics>(spec_.cpus, kInterruptSources, [this](std::uint32_t server, bool asserted) {
    vcpus_[server]->set_external_interrupt(asserted);
  });
  vty_interrupt_ = allocate_interrupt();
  // Deterministic mode polls the vty: an interrupt raised when input
  // reaches the host would come at a host-timed moment.
  std::function<void(bool)> vty_line;
  if (!caps_.deterministic) vty_line = [this](bool asserted) { xics_->set_level(vty_interrupt_, asserted); };
  vty_ = std::make_unique<Vty>(host_.console(), kVtyUnitAddress, std::move(vty_line));
  const std::uint32_t epow_interrupt = allocate_interrupt();
  epow_ = std::make_unique<Epow>(epow_interrupt,
                                 [this, epow_interrupt](bool asserted) { xics_->set_level(epow_interrupt, asserted); });
  rtas_ = std::make_unique<Rtas>(memory(), host_.logger("pseries.rtas"));
  phb_ = std::make_unique<Phb>(*xics_, memory(), [this] { return allocate_interrupt(); }, host_.logger("pseries.pci"));
  phb_->register_rtas_functions(*rtas_);
  register_mmio({PhbLayout::kWindow32Cpu, PhbLayout::kWindow32Size,
                 [this](std::uint64_t offset, unsigned size) { return phb_->mmio_read(PhbLayout::kWindow32Cpu + offset, size); },
                 [this](std::uint64_t offset, unsigned size, std::uint64_t value) {
                   phb_->mmio_write(PhbLayout::kWindow32Cpu + offset, size, value);
                 }});
  register_mmio({PhbLayout::kWindow64Cpu, PhbLayout::kWindow64Size,
                 [this](std::uint64_t offset, unsigned size) { return phb_->mmio_read(PhbLayout::kWindow64Cpu + offset, size); },
                 [this](std::uint64_t offset, unsigned size, std::uint64_t value) {
                   phb_->mmio_write(PhbLayout::kWindow64Cpu + offset, size, value);
                 }});
  rtc_ = std::make_unique<RealTimeClock>(options_.rtc, caps_.deterministic);
  hpt_hypercalls_ = std::make_unique<HptHypercalls>(accelerator.hash_page_table(), page_sizes_,
                                                    spec_.memory_bytes);
  register_machine_hypercalls();
  register_rtas_functions();
  const auto blob = Rtas::blob();
  memory().write(layout_.rtas_base, blob);
}

// Allocating also empties it: a rebooted guest starts with no HPTEs.
void PseriesMachine::allocate_hash_page_table() {
  if (accelerator_->hash_page_table().allocate(hpt_order_) != ppc::HptStatus::ok) {
    throw SetupError(fmt::format("the accelerator cannot allocate a hashed page table of 2^{} bytes", hpt_order_));
  }
  log_->debug("HPT: 2^{} bytes", hpt_order_);
}

void PseriesMachine::load_images() {
  GuestMemory& ram = memory();
  const LoadedImage kernel = load_elf(spec_.kernel, ram);
  layout_.kernel_base = kernel.lowest;
  layout_.kernel_entry = kernel.entry;
  layout_.kernel_end = kernel.end;
  const std::uint64_t real_mode_top = std::min(ram.size(), kRealModeAreaLimit);
  layout_.rtas_base = real_mode_top - Rtas::kReservedSize;
  layout_.fdt_limit = layout_.rtas_base;
  log_->info("kernel: {} at [{:#x}, {:#x}), entry {:#x}", spec_.kernel, kernel.lowest, kernel.end, kernel.entry);

  if (spec_.initrd.empty()) return;
  std::ifstream stream(spec_.initrd, std::ios::binary | std::ios::ate);
  if (!stream) throw SetupError(fmt::format("{}: cannot open the initrd", spec_.initrd));
  const auto size = static_cast<std::uint64_t>(stream.tellg());
  layout_.initrd_start = align_up(kernel.end, kInitrdAlignment);
  layout_.initrd_end = layout_.initrd_start + size;
  if (layout_.initrd_end > layout_.fdt_limit - kDeviceTreeRoom) {
    throw SetupError(fmt::format("{}: {} bytes of initrd after the kernel do not fit below {:#x} (the real-mode "
                                 "area of {} MiB of RAM); give the guest more memory",
                                 spec_.initrd, size, layout_.fdt_limit - kDeviceTreeRoom, ram.size() >> 20));
  }
  stream.seekg(0);
  stream.read(reinterpret_cast<char*>(ram.host_pointer(layout_.initrd_start, size)), static_cast<std::streamsize>(size));
  if (!stream) throw SetupError(fmt::format("{}: cannot read the initrd", spec_.initrd));
  log_->info("initrd: {} at [{:#x}, {:#x})", spec_.initrd, layout_.initrd_start, layout_.initrd_end);
}

RunOutcome PseriesMachine::run() {
  if (!threads_) throw SetupError("the machine was not built");
  if (std::exchange(restored_, false)) phb_->resume_io();
  else boot();
  for (;;) {
    RunOutcome outcome = threads_->run();
    if (switch_requested_.exchange(false)) {
      std::unique_lock lock(switch_mutex_);
      const bool switched = perform_switch(*pending_switch_);
      pending_switch_->done = true;
      switch_done_.notify_all();
      if (!switched) return {RunOutcome::Kind::failure, pending_switch_->error};
      continue;
    }
    const bool reset_by_control = reset_requested_.exchange(false);
    if (!reset_by_control && (!reboot_requested_ || options_.on_reboot != OnReboot::restart)) return outcome;
    log_->info("{}: restarting", reset_by_control ? "system reset" : "guest reboot");
    threads_->restart([this] { reset(); });
    if (on_reset_) on_reset_();
    boot();
  }
}

void PseriesMachine::boot() {
  phb_->assign_resources();
  const std::vector<std::byte> tree = build_device_tree();
  const std::uint64_t fdt_address = (layout_.fdt_limit - tree.size()) & ~std::uint64_t{0xfff};
  if (fdt_address < std::max(layout_.kernel_end, layout_.initrd_end)) {
    throw SetupError("the device tree does not fit between the guest images and RTAS");
  }
  memory().write(fdt_address, tree);
  if (!options_.dump_dtb.empty()) {
    std::ofstream out(options_.dump_dtb, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(tree.data()), static_cast<std::streamsize>(tree.size()));
    if (!out) throw SetupError(fmt::format("{}: cannot write the device tree", options_.dump_dtb));
    log_->info("device tree written to {}", options_.dump_dtb);
  }

  Vcpu& boot = *vcpus_[0];
  ppc::Registers registers = boot.registers();
  // DESIGN.md section 4: real mode, big-endian, 64-bit; r3 = device tree,
  // r4 = kernel base, r5 = 0 (no Open Firmware client interface).
  enter_started_cpu(registers, layout_.kernel_entry);
  registers.gpr[3] = fdt_address;
  registers.gpr[4] = layout_.kernel_base;
  registers.gpr[5] = 0;
  boot.set_registers(registers);
  threads_->start(0);
  log_->info("booting {} vCPU(s): entry {:#x}, device tree at {:#x} ({} bytes)", vcpus_.size(),
             layout_.kernel_entry, fdt_address, tree.size());
}

void PseriesMachine::request_shutdown(RunOutcome outcome) {
  if (threads_) threads_->shutdown(std::move(outcome));
}

void PseriesMachine::handle_exit(std::size_t index, Vcpu& vcpu, const VcpuExit& exit) {
  switch (exit.reason) {
    case ExitReason::hypercall: {
      HypercallCall call;
      call.vcpu = static_cast<std::uint32_t>(index);
      call.number = exit.hypercall.args[0];
      std::copy(exit.hypercall.args.begin() + 1, exit.hypercall.args.end(), call.args.begin());
      const std::int64_t status = hypercalls_.dispatch(call);
      vcpu.complete_hypercall(status, std::span(call.outputs.data(), call.output_count));
      return;
    }
    case ExitReason::mmio: handle_mmio(vcpu, exit.mmio); return;
    case ExitReason::halted:
      threads_->shutdown({RunOutcome::Kind::failure, fmt::format("vCPU {} halted: {}", index, exit.halt_reason)});
      return;
    case ExitReason::debug:
    case ExitReason::idle:
    case ExitReason::stopped: return;  // handled by VcpuThreads
  }
}

void PseriesMachine::handle_mmio(Vcpu& vcpu, const MmioExit& mmio) {
  for (const MmioRegion& region : mmio_regions_) {
    if (mmio.address < region.base || mmio.address - region.base >= region.size) continue;
    const std::uint64_t offset = mmio.address - region.base;
    if (mmio.is_write) region.write(offset, mmio.size, mmio.data);
    else vcpu.complete_mmio_read(region.read(offset, mmio.size));
    return;
  }
  // Neither RAM nor a device: the guest takes a machine check, as a POWER8
  // does for a real address no unit answers.
  constexpr std::uint64_t kReportLimit = 16;
  if (unclaimed_mmio_reports_.fetch_add(1) < kReportLimit) {
    log_->warn("vCPU {}: {}-byte {} at {:#x} hits no device: machine check", vcpu.id(), mmio.size,
               mmio.is_write ? "store" : "load", mmio.address);
  }
  vcpu.fail_mmio();
}

void PseriesMachine::register_mmio(MmioRegion region) {
  if (region.size == 0 || region.base + region.size < region.base || !region.read || !region.write) {
    throw SetupError(fmt::format("MMIO region at {:#x}: needs a size, read and write", region.base));
  }
  if (region.base < memory().size()) {
    throw SetupError(fmt::format("MMIO region at {:#x} overlaps RAM (which ends at {:#x})", region.base,
                                 memory().size()));
  }
  for (const MmioRegion& other : mmio_regions_) {
    if (region.base < other.base + other.size && other.base < region.base + region.size) {
      throw SetupError(fmt::format("MMIO region [{:#x}, {:#x}) overlaps [{:#x}, {:#x})", region.base,
                                   region.base + region.size, other.base, other.base + other.size));
    }
  }
  mmio_regions_.push_back(std::move(region));
}

void PseriesMachine::register_hypercall(std::uint64_t number, HypercallHandler handler) {
  hypercalls_.add(number, std::move(handler));
}

void PseriesMachine::add_device_tree_node(DeviceTreeNode node) { device_nodes_.push_back(std::move(node)); }

std::uint32_t PseriesMachine::allocate_interrupt() {
  if (!xics_ || !xics_->valid_source(next_interrupt_)) {
    throw SetupError(fmt::format("no interrupt source left (the XICS has {})", kInterruptSources));
  }
  return next_interrupt_++;
}

void PseriesMachine::set_interrupt(std::uint32_t source, bool asserted) {
  if (!xics_->valid_source(source) || source >= next_interrupt_) {
    log_->error("set_interrupt({:#x}): not an allocated interrupt source", source);
    return;
  }
  xics_->set_level(source, asserted);
}

void PseriesMachine::add_pci_function(std::shared_ptr<pci::Function> function) {
  if (!phb_) throw SetupError("PCI: the machine was not built");
  phb_->add_function(std::move(function));
}

void PseriesMachine::on_debug_stop(std::function<void(std::size_t, const DebugExit&)> handler) {
  threads_->on_debug_stop(std::move(handler));
}

std::optional<std::uint64_t> PseriesMachine::debug_translate(std::size_t vcpu, std::uint64_t effective_address) {
  return ppc::debug_translate(vcpus_.at(vcpu)->registers(), accelerator_->hash_page_table(), page_sizes_,
                              effective_address);
}

}  // namespace mosaic::pseries
