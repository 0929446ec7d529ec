#include "kvm_registers.hpp"

#include <asm/kvm.h>
#include <linux/kvm.h>
#include <sys/ioctl.h>

#include <cerrno>
#include <cstring>
#include <system_error>

#include <fmt/format.h>

namespace mosaic::kvm {
namespace {

// A 128-bit ONE_REG value as the kernel stores it: in host order, so on a
// little-endian host the most significant doubleword comes second.
struct Vector128 {
  std::uint64_t doubleword[2];
};
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
constexpr int kHigh = 1, kLow = 0;
#else
constexpr int kHigh = 0, kLow = 1;
#endif

[[noreturn]] void fail(const char* what, std::uint64_t id = 0) {
  throw std::system_error(errno, std::generic_category(),
                          id ? fmt::format("KVM {} (register id {:#x})", what, id) : fmt::format("KVM {}", what));
}

std::size_t one_reg_bytes(std::uint64_t id) { return std::size_t{1} << ((id & KVM_REG_SIZE_MASK) >> KVM_REG_SIZE_SHIFT); }

// The SPRs kept in ONE_REG, with where they live in ppc::Registers.
struct SprField {
  std::uint64_t id;
  std::uint64_t ppc::Registers::*field;
};
constexpr SprField kSprs[] = {
    {KVM_REG_PPC_DAR, &ppc::Registers::dar},   {KVM_REG_PPC_AMR, &ppc::Registers::amr},
    {KVM_REG_PPC_DSCR, &ppc::Registers::dscr}, {KVM_REG_PPC_PPR, &ppc::Registers::ppr},
    {KVM_REG_PPC_FSCR, &ppc::Registers::fscr}, {KVM_REG_PPC_TAR, &ppc::Registers::tar},
    {KVM_REG_PPC_LPCR_64, &ppc::Registers::lpcr}, {KVM_REG_PPC_FPSCR, &ppc::Registers::fpscr},
};

constexpr std::uint64_t kSlbValid = 0x08000000;  // V in the ESID word
constexpr std::uint64_t kSlbIndexMask = 0xfff;

}  // namespace

void access_one_reg(int fd, unsigned long request, std::uint64_t id, void* value) {
  kvm_one_reg reg{id, reinterpret_cast<std::uint64_t>(value)};
  if (ioctl(fd, request, &reg) < 0) fail(request == KVM_GET_ONE_REG ? "GET_ONE_REG" : "SET_ONE_REG", id);
}

std::uint64_t read_one_reg(int vcpu_fd, std::uint64_t id) {
  if (one_reg_bytes(id) == 4) {
    std::uint32_t value = 0;
    access_one_reg(vcpu_fd, KVM_GET_ONE_REG, id, &value);
    return value;
  }
  std::uint64_t value = 0;
  access_one_reg(vcpu_fd, KVM_GET_ONE_REG, id, &value);
  return value;
}

void write_one_reg(int vcpu_fd, std::uint64_t id, std::uint64_t value) {
  if (one_reg_bytes(id) == 4) {
    std::uint32_t narrow = static_cast<std::uint32_t>(value);
    access_one_reg(vcpu_fd, KVM_SET_ONE_REG, id, &narrow);
    return;
  }
  access_one_reg(vcpu_fd, KVM_SET_ONE_REG, id, &value);
}

ppc::Registers read_vcpu_registers(int vcpu_fd) {
  ppc::Registers out;
  kvm_regs regs{};
  if (ioctl(vcpu_fd, KVM_GET_REGS, &regs) < 0) fail("GET_REGS");
  std::memcpy(out.gpr.data(), regs.gpr, sizeof regs.gpr);
  out.nip = regs.pc;
  out.msr = regs.msr;
  out.lr = regs.lr;
  out.ctr = regs.ctr;
  out.xer = regs.xer;
  out.cr = static_cast<std::uint32_t>(regs.cr);
  out.srr0 = regs.srr0;
  out.srr1 = regs.srr1;
  out.sprg = {regs.sprg0, regs.sprg1, regs.sprg2, regs.sprg3};

  kvm_sregs sregs{};
  if (ioctl(vcpu_fd, KVM_GET_SREGS, &sregs) < 0) fail("GET_SREGS");
  out.pvr = sregs.pvr;
  // KVM keeps the valid entries packed; each carries its slot in the ESID
  // word, which puts it back where slbmfee would find it.
  for (const auto& entry : sregs.u.s.ppc64.slb) {
    if (!(entry.slbe & kSlbValid)) continue;
    const std::size_t slot = entry.slbe & kSlbIndexMask;
    if (slot < out.slb.size()) out.slb[slot] = ppc::SlbEntry{entry.slbe, entry.slbv};
  }

  for (unsigned i = 0; i < 32; ++i) {
    Vector128 vsr{};
    access_one_reg(vcpu_fd, KVM_GET_ONE_REG, KVM_REG_PPC_VSR(i), &vsr);
    out.fpr[i] = vsr.doubleword[kHigh];
    out.vsr_low[i] = vsr.doubleword[kLow];
    Vector128 vr{};
    access_one_reg(vcpu_fd, KVM_GET_ONE_REG, KVM_REG_PPC_VR(i), &vr);
    out.vr[i] = {vr.doubleword[kHigh], vr.doubleword[kLow]};
  }
  for (const SprField& spr : kSprs) out.*spr.field = read_one_reg(vcpu_fd, spr.id);
  out.dsisr = static_cast<std::uint32_t>(read_one_reg(vcpu_fd, KVM_REG_PPC_DSISR));
  out.vscr = static_cast<std::uint32_t>(read_one_reg(vcpu_fd, KVM_REG_PPC_VSCR));
  out.vrsave = static_cast<std::uint32_t>(read_one_reg(vcpu_fd, KVM_REG_PPC_VRSAVE));
  return out;
}

void write_vcpu_registers(int vcpu_fd, const ppc::Registers& registers) {
  kvm_regs regs{};
  if (ioctl(vcpu_fd, KVM_GET_REGS, &regs) < 0) fail("GET_REGS");
  std::memcpy(regs.gpr, registers.gpr.data(), sizeof regs.gpr);
  regs.pc = registers.nip;
  regs.msr = registers.msr;
  regs.lr = registers.lr;
  regs.ctr = registers.ctr;
  regs.xer = registers.xer;
  regs.cr = registers.cr;
  regs.srr0 = registers.srr0;
  regs.srr1 = registers.srr1;
  regs.sprg0 = registers.sprg[0];
  regs.sprg1 = registers.sprg[1];
  regs.sprg2 = registers.sprg[2];
  regs.sprg3 = registers.sprg[3];
  if (ioctl(vcpu_fd, KVM_SET_REGS, &regs) < 0) fail("SET_REGS");

  // The kernel insists on its own PVR coming back unchanged.
  kvm_sregs sregs{};
  if (ioctl(vcpu_fd, KVM_GET_SREGS, &sregs) < 0) fail("GET_SREGS");
  std::memset(&sregs.u.s.ppc64.slb, 0, sizeof sregs.u.s.ppc64.slb);
  std::size_t packed = 0;
  for (const ppc::SlbEntry& entry : registers.slb) {
    if (entry.esid & kSlbValid) sregs.u.s.ppc64.slb[packed++] = {entry.esid, entry.vsid};
  }
  if (ioctl(vcpu_fd, KVM_SET_SREGS, &sregs) < 0) fail("SET_SREGS");

  for (unsigned i = 0; i < 32; ++i) {
    Vector128 vsr{};
    vsr.doubleword[kHigh] = registers.fpr[i];
    vsr.doubleword[kLow] = registers.vsr_low[i];
    access_one_reg(vcpu_fd, KVM_SET_ONE_REG, KVM_REG_PPC_VSR(i), &vsr);
    Vector128 vr{};
    vr.doubleword[kHigh] = registers.vr[i][0];
    vr.doubleword[kLow] = registers.vr[i][1];
    access_one_reg(vcpu_fd, KVM_SET_ONE_REG, KVM_REG_PPC_VR(i), &vr);
  }
  for (const SprField& spr : kSprs) write_one_reg(vcpu_fd, spr.id, registers.*spr.field);
  write_one_reg(vcpu_fd, KVM_REG_PPC_DSISR, registers.dsisr);
  write_one_reg(vcpu_fd, KVM_REG_PPC_VSCR, registers.vscr);
  write_one_reg(vcpu_fd, KVM_REG_PPC_VRSAVE, registers.vrsave);
}

}  // namespace mosaic::kvm
