#include "kvm_vcpu_state.hpp"

#include <asm/kvm.h>
#include <linux/kvm.h>

#include <algorithm>
#include <limits>

#include "kvm_registers.hpp"

namespace mosaic::kvm {
namespace {

// The SPRs beyond ppc::Registers that a POWER8 partition owns, by SPR
// number (the privileged one where a problem-state alias exists).
struct SprRegister {
  std::uint32_t number;
  std::uint64_t id;
};
constexpr SprRegister kStateSprs[] = {
    {61, KVM_REG_PPC_IAMR},   {157, KVM_REG_PPC_UAMOR}, {159, KVM_REG_PPC_PSPB},   {176, KVM_REG_PPC_DPDES},
    {180, KVM_REG_PPC_DAWR},  {187, KVM_REG_PPC_CIABR}, {188, KVM_REG_PPC_DAWRX},  {308, KVM_REG_PPC_SPURR},
    {309, KVM_REG_PPC_PURR},  {350, KVM_REG_PPC_IC},    {351, KVM_REG_PPC_VTB},    {784, KVM_REG_PPC_SIER},
    {785, KVM_REG_PPC_MMCR2}, {786, KVM_REG_PPC_MMCRA}, {787, KVM_REG_PPC_PMC1},   {788, KVM_REG_PPC_PMC2},
    {789, KVM_REG_PPC_PMC3},  {790, KVM_REG_PPC_PMC4},  {791, KVM_REG_PPC_PMC5},   {792, KVM_REG_PPC_PMC6},
    {795, KVM_REG_PPC_MMCR0}, {796, KVM_REG_PPC_SIAR},  {797, KVM_REG_PPC_SDAR},   {798, KVM_REG_PPC_MMCR1},
    {804, KVM_REG_PPC_EBBHR}, {805, KVM_REG_PPC_EBBRR}, {806, KVM_REG_PPC_BESCR},  {895, KVM_REG_PPC_WORT},
};

// ONE_REG's VPA_SLB and VPA_DTL: an address and a length.
struct VpaArea {
  std::uint64_t address;
  std::uint64_t length;
};

VpaRegistration read_vpa(int vcpu_fd) {
  VpaRegistration vpa;
  vpa.vpa = read_one_reg(vcpu_fd, KVM_REG_PPC_VPA_ADDR);
  VpaArea area{};
  access_one_reg(vcpu_fd, KVM_GET_ONE_REG, KVM_REG_PPC_VPA_SLB, &area);
  vpa.slb_shadow = area.address;
  vpa.slb_shadow_bytes = static_cast<std::uint32_t>(area.length);
  access_one_reg(vcpu_fd, KVM_GET_ONE_REG, KVM_REG_PPC_VPA_DTL, &area);
  vpa.dispatch_trace_log = area.address;
  vpa.dispatch_trace_log_bytes = static_cast<std::uint32_t>(area.length);
  return vpa;
}

// KVM refuses an SLB shadow or trace log without a VPA, and a VPA
// deregistered under either: register outside-in, deregister inside-out.
void write_vpa(int vcpu_fd, const VpaRegistration& vpa) {
  VpaArea slb{vpa.slb_shadow, vpa.slb_shadow_bytes};
  VpaArea log{vpa.dispatch_trace_log, vpa.dispatch_trace_log_bytes};
  if (vpa.vpa != 0) write_one_reg(vcpu_fd, KVM_REG_PPC_VPA_ADDR, vpa.vpa);
  access_one_reg(vcpu_fd, KVM_SET_ONE_REG, KVM_REG_PPC_VPA_SLB, &slb);
  access_one_reg(vcpu_fd, KVM_SET_ONE_REG, KVM_REG_PPC_VPA_DTL, &log);
  if (vpa.vpa == 0) write_one_reg(vcpu_fd, KVM_REG_PPC_VPA_ADDR, 0);
}

constexpr std::uint32_t kMmcr0 = 795;
constexpr std::uint64_t kMmcr0FreezeCounters = 0x80000000;

}  // namespace

std::uint64_t host_timebase() { return __builtin_ppc_get_timebase(); }

std::uint64_t guest_timebase(int vcpu_fd) { return host_timebase() + read_one_reg(vcpu_fd, KVM_REG_PPC_TB_OFFSET); }

void set_guest_timebase(int vcpu_fd, std::uint64_t timebase) {
  write_one_reg(vcpu_fd, KVM_REG_PPC_TB_OFFSET, timebase - host_timebase());
}

VcpuState read_vcpu_state(int vcpu_fd) {
  VcpuState state;
  state.registers = read_vcpu_registers(vcpu_fd);
  ppc::Registers& registers = state.registers;
  registers.tb = guest_timebase(vcpu_fd);
  // DEC is 32 bits (no large decrementer on POWER8): an expiry further
  // away than it can count is clamped, a long-passed one stays negative.
  const auto left = static_cast<std::int64_t>(read_one_reg(vcpu_fd, KVM_REG_PPC_DEC_EXPIRY) - registers.tb);
  const std::int64_t dec = std::clamp<std::int64_t>(left, std::numeric_limits<std::int32_t>::min(),
                                                    std::numeric_limits<std::int32_t>::max());
  registers.dec = static_cast<std::uint32_t>(dec);
  for (const SprRegister& spr : kStateSprs) state.sprs[spr.number] = read_one_reg(vcpu_fd, spr.id);
  state.vpa = read_vpa(vcpu_fd);
  return state;
}

void write_vcpu_state(int vcpu_fd, const VcpuState& state) {
  write_vcpu_registers(vcpu_fd, state.registers);
  const auto dec = static_cast<std::int32_t>(state.registers.dec);
  write_one_reg(vcpu_fd, KVM_REG_PPC_DEC_EXPIRY, state.registers.tb + static_cast<std::uint64_t>(std::int64_t{dec}));
  for (const SprRegister& spr : kStateSprs) {
    if (const auto saved = state.sprs.find(spr.number); saved != state.sprs.end()) {
      write_one_reg(vcpu_fd, spr.id, saved->second);
    }
  }
  if (state.vpa) write_vpa(vcpu_fd, *state.vpa);
}

void clear_vcpu_state(int vcpu_fd) {
  write_vpa(vcpu_fd, VpaRegistration{});
  for (const SprRegister& spr : kStateSprs) {
    write_one_reg(vcpu_fd, spr.id, spr.number == kMmcr0 ? kMmcr0FreezeCounters : 0);
  }
}

}  // namespace mosaic::kvm
