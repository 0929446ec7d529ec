// A KVM-HV vCPU's whole state, in the accelerator-neutral VcpuState: the
// registers, the decrementer (KVM keeps its expiry in guest timebase), the
// SPRs kept in ONE_REG under their architected numbers, and the VPA
// registration the kernel holds (KVM-HV serves H_REGISTER_VPA itself).
// Transactional memory state is not carried: the POWER8 partition the
// machine describes is used without TM by the guests it runs. Only built for
// ppc64.
#pragma once

#include "mosaic/accelerator.hpp"

namespace mosaic::kvm {

// The host's timebase register.
std::uint64_t host_timebase();
// The guest's: the host's plus the VM's offset (KVM_REG_PPC_TB_OFFSET).
std::uint64_t guest_timebase(int vcpu_fd);
// The offset that makes the guest timebase read `timebase` now; KVM rounds
// it up to a multiple of 2^24, so time never goes back.
void set_guest_timebase(int vcpu_fd, std::uint64_t timebase);

// Both throw std::system_error naming the register when an ioctl fails.
VcpuState read_vcpu_state(int vcpu_fd);
// The timebase must be set first: the decrementer is loaded relative to it.
// SPRs KVM does not keep are left out; those missing from `state` keep
// their value.
void write_vcpu_state(int vcpu_fd, const VcpuState& state);
// What a new vCPU has in the SPRs above (MMCR0 freezes the counters) and no
// VPA registration: for a vCPU descriptor used again after a machine reset
// (KVM cannot destroy one), so that nothing of the previous boot survives
// in the kernel, say a VPA the kernel would go on updating in RAM the new
// boot uses for something else.
void clear_vcpu_state(int vcpu_fd);

}  // namespace mosaic::kvm
