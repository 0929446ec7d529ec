// ppc::Registers to and from a KVM-HV vCPU: the GPR block, the SLB (sregs)
// and ONE_REG for the FP/vector file and the SPRs. Only built for ppc64.
#pragma once

#include "mosaic/ppc.hpp"

namespace mosaic::kvm {

// Both throw std::system_error naming the register when an ioctl fails;
// that is a host problem, never something the guest can cause.
ppc::Registers read_vcpu_registers(int vcpu_fd);
// PVR and PIR are fixed by the hardware and not written; DEC, CTRL and CFAR
// are owned by the hardware while the guest runs and are not transferred.
void write_vcpu_registers(int vcpu_fd, const ppc::Registers& registers);

// KVM_GET_ONE_REG or KVM_SET_ONE_REG (`request`) of register `id`, whose
// bytes `value` points to, as many as the id's size says.
void access_one_reg(int fd, unsigned long request, std::uint64_t id, void* value);
// One ONE_REG register of at most 64 bits.
std::uint64_t read_one_reg(int vcpu_fd, std::uint64_t id);
void write_one_reg(int vcpu_fd, std::uint64_t id, std::uint64_t value);

}  // namespace mosaic::kvm
