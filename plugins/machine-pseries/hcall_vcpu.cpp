// Hypercalls about the calling vCPU itself: idling and yielding (hcall-
// splpar), per-processor areas, data breakpoints and CPU characteristics.
#include <thread>

#include "papr.hpp"
#include "pseries_machine.hpp"

namespace mosaic::pseries {

namespace {

namespace hcall {
constexpr std::uint64_t kSetSprg0 = 0x24;
constexpr std::uint64_t kSetDabr = 0x28;
constexpr std::uint64_t kRegisterVpa = 0xdc;
constexpr std::uint64_t kCede = 0xe0;
constexpr std::uint64_t kConfer = 0xe4;
constexpr std::uint64_t kProd = 0x108;
constexpr std::uint64_t kSetXdabr = 0x134;
constexpr std::uint64_t kGetCpuCharacteristics = 0x1c8;
}  // namespace hcall

constexpr std::int64_t kResource = -16;  // H_RESOURCE

// H_REGISTER_VPA subfunctions, in flag bits 16:18 (PAPR 14.11.3.2).
enum class VpaSubfunction : unsigned {
  register_vpa = 1,
  register_dispatch_trace_log = 2,
  register_slb_shadow = 3,
  deregister_vpa = 5,
  deregister_dispatch_trace_log = 6,
  deregister_slb_shadow = 7,
};
constexpr unsigned kVpaSubfunctionShift = 63 - 18;
constexpr std::uint64_t kVpaMinimumSize = 640;
constexpr std::uint64_t kDispatchTraceLogMinimumSize = 48;
constexpr std::uint64_t kSlbShadowMinimumSize = 8;
constexpr std::uint64_t kCacheLine = 128;
// The VPA's dispatch (yield) count, a 32-bit big-endian word: even while
// the virtual processor is dispatched, odd while it is not (ceded or
// preempted). Linux's vcpu_is_preempted() and its spinlock yield read it.
constexpr std::uint64_t kVpaDispatchCounter = 0x100;
constexpr std::uint64_t kDabrxHypervisor = 1 << 2;

// H_GET_CPU_CHARACTERISTICS, answered as QEMU 7.2's pseries does for a
// POWER8 partition with its default capabilities: cap-cfpc, cap-sbbc and
// cap-ibs "workaround", cap-ccf-assist on. Bits are numbered from the most
// significant, as PAPR does.
namespace characteristic {
constexpr std::uint64_t kSpeculationBarrierOri31 = papr::flag_bit(0);
constexpr std::uint64_t kL1dFlushOri30 = papr::flag_bit(2);
constexpr std::uint64_t kL1dFlushTrig2 = papr::flag_bit(3);
constexpr std::uint64_t kL1dThreadPrivate = papr::flag_bit(4);
constexpr std::uint64_t kHonoursBranchHints = papr::flag_bit(5);
constexpr std::uint64_t kBcctrFlushAssist = papr::flag_bit(9);
}  // namespace characteristic
namespace behaviour {
constexpr std::uint64_t kFavourSecurity = papr::flag_bit(0);
constexpr std::uint64_t kL1dFlushOnPrivilegeChange = papr::flag_bit(1);
constexpr std::uint64_t kBoundsCheckBarrier = papr::flag_bit(2);
constexpr std::uint64_t kFlushCountCache = papr::flag_bit(5);
}  // namespace behaviour

void write_be32(GuestMemory& memory, std::uint64_t address, std::uint32_t value) {
  std::array<std::byte, 4> raw{};
  for (unsigned i = 0; i < 4; ++i) raw[i] = static_cast<std::byte>(value >> (24 - 8 * i));
  memory.write(address, raw);
}

std::uint64_t read_be(const GuestMemory& memory, std::uint64_t address, unsigned bytes) {
  std::array<std::byte, 4> raw{};
  if (!memory.read(address, std::span(raw.data(), bytes))) return 0;
  std::uint64_t value = 0;
  for (unsigned i = 0; i < bytes; ++i) value = (value << 8) | std::to_integer<std::uint8_t>(raw[i]);
  return value;
}

}  // namespace

void PseriesMachine::advance_dispatch_counter(std::size_t index, bool dispatched) {
  const std::uint64_t vpa = vcpu_areas_[index].vpa;
  if (vpa == 0) return;
  auto count = static_cast<std::uint32_t>(read_be(memory(), vpa + kVpaDispatchCounter, 4) + 1);
  // A guest that wrote the counter may have left the wrong parity.
  if ((count & 1) != (dispatched ? 0u : 1u)) ++count;
  write_be32(memory(), vpa + kVpaDispatchCounter, count);
}

VpaRegistration PseriesMachine::vpa_registration(const VcpuAreas& areas) {
  // The lengths are where the guest wrote them before registering.
  const auto length_of = [this](std::uint64_t area) {
    return area == 0 ? 0u : static_cast<std::uint32_t>(read_be(memory(), area + 4, 4));
  };
  return VpaRegistration{areas.vpa, areas.slb_shadow, length_of(areas.slb_shadow), areas.dispatch_trace_log,
                         length_of(areas.dispatch_trace_log)};
}

void PseriesMachine::vcpu_dispatched(std::size_t index) {
  std::lock_guard lock(vcpu_areas_mutex_);
  if (!vcpu_areas_[index].ceded) return;
  vcpu_areas_[index].ceded = false;
  advance_dispatch_counter(index, true);
}

void PseriesMachine::register_vcpu_hypercalls() {
  hypercalls_.add(hcall::kCede, [this](HypercallCall& call) {
    {
      std::lock_guard lock(vcpu_areas_mutex_);
      vcpu_areas_[call.vcpu].ceded = true;
      advance_dispatch_counter(call.vcpu, false);
    }
    vcpus_[call.vcpu]->cede();
    return papr::kSuccess;
  });
  // H_PROD wakes a ceded vCPU: a stop request ends its idle, and its thread
  // simply runs it again.
  hypercalls_.add(hcall::kProd, [this](HypercallCall& call) {
    if (call.args[0] >= vcpus_.size()) return papr::kParameter;
    vcpus_[call.args[0]]->request_stop();
    return papr::kSuccess;
  });
  hypercalls_.add(hcall::kConfer, [](HypercallCall&) {
    std::this_thread::yield();
    return papr::kSuccess;
  });

  hypercalls_.add(hcall::kRegisterVpa, [this](HypercallCall& call) {
    const auto subfunction = static_cast<VpaSubfunction>((call.args[0] >> kVpaSubfunctionShift) & 7);
    const std::uint64_t target = call.args[1];
    const std::uint64_t address = call.args[2];
    if (target >= vcpus_.size()) return papr::kParameter;
    std::lock_guard lock(vcpu_areas_mutex_);
    VcpuAreas& areas = vcpu_areas_[target];
    // A registered area must lie in RAM, be cache-line aligned and be at
    // least as large as its structure says it must.
    const auto check_area = [&](std::uint64_t size, std::uint64_t minimum) {
      return address % kCacheLine == 0 && size >= minimum && memory().contains(address, size);
    };
    switch (subfunction) {
      case VpaSubfunction::register_vpa: {
        const std::uint64_t size = read_be(memory(), address + 4, 2);
        if (!check_area(size, kVpaMinimumSize) || address / 4096 != (address + size - 1) / 4096) {
          return papr::kParameter;
        }
        areas.vpa = address;
        return papr::kSuccess;
      }
      case VpaSubfunction::register_dispatch_trace_log:
        if (areas.vpa == 0) return kResource;
        if (!check_area(read_be(memory(), address + 4, 4), kDispatchTraceLogMinimumSize)) return papr::kParameter;
        areas.dispatch_trace_log = address;
        return papr::kSuccess;
      case VpaSubfunction::register_slb_shadow:
        if (areas.vpa == 0) return kResource;
        if (!check_area(read_be(memory(), address + 4, 4), kSlbShadowMinimumSize)) return papr::kParameter;
        areas.slb_shadow = address;
        return papr::kSuccess;
      case VpaSubfunction::deregister_vpa:
        if (areas.dispatch_trace_log != 0 || areas.slb_shadow != 0) return kResource;
        areas.vpa = 0;
        return papr::kSuccess;
      case VpaSubfunction::deregister_dispatch_trace_log:
        areas.dispatch_trace_log = 0;
        return papr::kSuccess;
      case VpaSubfunction::deregister_slb_shadow:
        areas.slb_shadow = 0;
        return papr::kSuccess;
    }
    return papr::kParameter;
  });

  hypercalls_.add(hcall::kSetDabr, [this](HypercallCall& call) {
    std::lock_guard lock(vcpu_areas_mutex_);
    vcpu_areas_[call.vcpu].dabr = call.args[0];
    return papr::kSuccess;
  });
  hypercalls_.add(hcall::kSetXdabr, [this](HypercallCall& call) {
    const std::uint64_t dabrx = call.args[1];
    if ((dabrx & ~std::uint64_t{0xf}) != 0 || (dabrx & kDabrxHypervisor)) return papr::kParameter;
    std::lock_guard lock(vcpu_areas_mutex_);
    vcpu_areas_[call.vcpu].dabr = call.args[0];
    vcpu_areas_[call.vcpu].dabrx = dabrx;
    return papr::kSuccess;
  });

  // Linux reads these at every boot and patches its mitigations to match:
  // the L1D flush becomes "ori 30,30,0; mtspr TRIG2" (a no-op SPR here),
  // the speculation barrier "ori 31,31,0", and the count-cache flush the
  // POWER8 "bcctr 2,0,0" assist. All are cheap to interpret, unlike the
  // software displacement flush Linux falls back to without an answer.
  hypercalls_.add(hcall::kGetCpuCharacteristics, [](HypercallCall& call) {
    call.outputs[0] = characteristic::kSpeculationBarrierOri31 | characteristic::kL1dFlushOri30 |
                      characteristic::kL1dFlushTrig2 | characteristic::kL1dThreadPrivate |
                      characteristic::kHonoursBranchHints | characteristic::kBcctrFlushAssist;
    call.outputs[1] = behaviour::kFavourSecurity | behaviour::kL1dFlushOnPrivilegeChange |
                      behaviour::kBoundsCheckBarrier | behaviour::kFlushCountCache;
    call.output_count = 2;
    return papr::kSuccess;
  });
  // H_SET_SPRG0 (LoPAPR, processor register hypercalls): sets the
  // caller's SPRG0, which a partition can also move itself.
  hypercalls_.add(hcall::kSetSprg0, [this](HypercallCall& call) {
    Vcpu& vcpu = *vcpus_[call.vcpu];
    ppc::Registers registers = vcpu.registers();
    registers.sprg[0] = call.args[0];
    vcpu.set_registers(registers);
    return papr::kSuccess;
  });
}

}  // namespace mosaic::pseries
