// Random instruction words from random architected state through the
// interpreter's real vCPU (decode, dispatch, MMU, interrupt delivery), for
// a bounded number of single steps, or of short deterministic quanta of
// chained dispatch that compiles every run at its first execution. Guest RAM is fenced by inaccessible
// pages, so no instruction may reach host memory outside it; every exit is
// completed as a machine would.
#include <atomic>
#include <cstdint>
#include <cstdlib>

#include "fuzz_input.hpp"
#include "guarded_ram.hpp"
#include "hash_table_storage.hpp"
#include "interp_vcpu.hpp"

namespace {

using namespace mosaic;

constexpr std::uint64_t kRamBytes = 1 << 20;
constexpr unsigned kMaxSteps = 64;
constexpr std::uint64_t kQuantum = 256;  // instructions of a chained run
constexpr unsigned kMaxWords = 64;
constexpr unsigned kHptOrder = 18;  // PAPR's smallest

// Every MSR bit the interpreter gives a meaning to; the rest stay clear as
// a hypervisor would keep them (Book III 4.2.1).
constexpr std::uint64_t kMsrBits = ppc::msr::kSixtyFour | ppc::msr::kExternalEnable | ppc::msr::kProblemState |
                                   ppc::msr::kFloatingPoint | ppc::msr::kInstructionRelocate |
                                   ppc::msr::kDataRelocate | ppc::msr::kRecoverable | ppc::msr::kLittleEndian |
                                   (1ull << 25) /* VEC */ | (1ull << 23) /* VSX */ | (1ull << 12) /* ME */ |
                                   (3ull << 9) /* SE, BE */;

// The POWER8 page sizes the interp accelerator offers.
std::vector<ppc::SegmentPageSizes> power8_page_sizes() {
  return {{12, 0x000, {{12, 0x0}, {16, 0x7}, {24, 0x38}}}, {16, 0x110, {{16, 0x1}, {24, 0x8}}}, {24, 0x100, {{24, 0x0}}}};
}

// Addresses that land in RAM most of the time, and sometimes anywhere.
std::uint64_t address(fuzz::FuzzInput& input) {
  const std::uint8_t mode = input.take<std::uint8_t>();
  if (mode < 192) return input.take<std::uint32_t>() % kRamBytes;
  if (mode < 224) return kRamBytes - 1 - input.take<std::uint8_t>();
  return input.take<std::uint64_t>();
}

ppc::Registers random_state(fuzz::FuzzInput& input) {
  ppc::Registers r;
  for (auto& gpr : r.gpr) gpr = input.take_bool() ? address(input) : input.take<std::uint64_t>();
  r.nip = address(input) & ~std::uint64_t{3};
  r.msr = input.take<std::uint64_t>() & kMsrBits;
  r.lr = address(input);
  r.ctr = input.take<std::uint64_t>();
  r.xer = input.take<std::uint64_t>();
  r.cr = input.take<std::uint32_t>();
  for (unsigned i = 0; i < 8; ++i) r.fpr[i] = input.take<std::uint64_t>();
  r.fpscr = input.take<std::uint32_t>();
  for (unsigned i = 0; i < 4; ++i) r.vr[i] = {input.take<std::uint64_t>(), input.take<std::uint64_t>()};
  r.vscr = input.take<std::uint32_t>();
  r.dec = input.take<std::uint32_t>();
  // ILE only: with AIL, interrupts are delivered relocated, and a guest
  // whose vectors are unmapped takes instruction storage interrupts for
  // ever, as the ISA says it must; a single step never ends there.
  r.lpcr = input.take<std::uint64_t>() & (1ull << 25);
  r.srr0 = address(input);
  r.srr1 = input.take<std::uint64_t>() & kMsrBits;
  for (unsigned i = 0; i < 4; ++i) r.slb[i] = {input.take<std::uint64_t>(), input.take<std::uint64_t>()};
  return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static fuzz::GuardedRam ram(kRamBytes);
  ram.clear();
  fuzz::FuzzInput input(data, size);

  std::atomic<std::uint64_t> generation{0};
  interp::HashTableStorage storage(generation);
  storage.allocate(kHptOrder);
  interp::CodeInvalidations invalidations(kRamBytes);
  interp::MemorySystem memory_system{ram.memory(), storage, power8_page_sizes(), generation, invalidations};
  interp::VcpuWork work;
  interp::InterpVcpu vcpu(0, memory_system, 0x004d0200, work);
  interp::DeterministicClock clock;
  vcpu.set_deterministic_clock(&clock);

  ppc::Registers registers = random_state(input);
  // A few HPTEs, so that relocated accesses can translate.
  const unsigned entries = input.take<std::uint8_t>() % 8;
  for (unsigned i = 0; i < entries; ++i) {
    const std::uint64_t ptex = input.take_below((std::uint64_t{1} << kHptOrder) / ppc::hpte::kBytes);
    storage.write_hpte(ptex, {input.take<std::uint64_t>() | ppc::hpte::kValid, input.take<std::uint64_t>()});
  }
  // The code: random words from nip on, in the byte order of MSR[LE].
  const bool little_endian = registers.msr & ppc::msr::kLittleEndian;
  const unsigned words = input.take<std::uint8_t>() % kMaxWords;
  for (unsigned i = 0; i < words; ++i) {
    std::uint32_t word = input.take<std::uint32_t>();
    if (!little_endian) word = __builtin_bswap32(word);
    ram.memory().write((registers.nip + 4 * i) & (kRamBytes - 4),
                       std::span(reinterpret_cast<const std::byte*>(&word), 4));
  }
  vcpu.set_registers(registers);

  const bool chained = input.take_bool();
  if (chained) {
    vcpu.compile_hot_runs(1);
  } else {
    GuestDebug debug;
    debug.single_step = true;
    if (input.take_bool()) debug.watchpoints.push_back({address(input), 1u + input.take<std::uint8_t>() % 16,
                                                         static_cast<WatchKind>(input.take<std::uint8_t>() % 3)});
    vcpu.set_debug(debug);
  }
  const bool external = input.take_bool();
  vcpu.set_external_interrupt(external);

  for (unsigned step = 0; step < kMaxSteps; ++step) {
    const VcpuExit exit = chained ? vcpu.run_for(kQuantum) : vcpu.run();
    switch (exit.reason) {
      case ExitReason::hypercall: {
        const std::uint64_t outputs[2] = {input.take<std::uint64_t>(), input.take<std::uint64_t>()};
        vcpu.complete_hypercall(static_cast<std::int64_t>(input.take<std::uint8_t>()) - 128, outputs);
        break;
      }
      case ExitReason::mmio:
        if (exit.mmio.address < kRamBytes || exit.mmio.size == 0 || exit.mmio.size > 8) std::abort();
        // Some accesses reach no device: a machine check, or a checkstop.
        if (input.take<std::uint8_t>() & 1) vcpu.fail_mmio();
        else if (!exit.mmio.is_write) vcpu.complete_mmio_read(input.take<std::uint64_t>());
        break;
      case ExitReason::halted: return 0;
      case ExitReason::idle:
      case ExitReason::debug:
      case ExitReason::stopped: break;
    }
    if (vcpu.registers().nip & 3) std::abort();  // instructions are word aligned
  }
  return 0;
}
