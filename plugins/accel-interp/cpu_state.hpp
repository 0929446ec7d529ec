// The architected state of one interpreted POWER8 thread, laid out for the
// interpreter's hot loop: plain fields, XER split into its bits, CR as one
// word. Conversion to the SDK's ppc::Registers happens only at the edges.
#pragma once

#include <array>
#include <cstdint>

#include "mosaic/ppc.hpp"

namespace mosaic::interp {

// XER bits (Power ISA 2.07 Book I 3.2.2), as LSB-0 positions.
namespace xer {
inline constexpr std::uint64_t kSummaryOverflow = 1ull << 31;
inline constexpr std::uint64_t kOverflow = 1ull << 30;
inline constexpr std::uint64_t kCarry = 1ull << 29;
inline constexpr std::uint64_t kByteCountMask = 0x7f;
}  // namespace xer

// Bits within one 4-bit CR field (Book I 2.3.1).
namespace cr_bit {
inline constexpr std::uint32_t kLess = 8;
inline constexpr std::uint32_t kGreater = 4;
inline constexpr std::uint32_t kEqual = 2;
inline constexpr std::uint32_t kSummaryOverflow = 1;
}  // namespace cr_bit

// MSR bits beyond the ones the SDK names (Book III 4.2.1).
namespace msr_bit {
inline constexpr std::uint64_t kVector = 1ull << 25;              // VEC
inline constexpr std::uint64_t kVsx = 1ull << 23;                 // VSX
inline constexpr std::uint64_t kSingleStep = 1ull << 10;          // SE
inline constexpr std::uint64_t kBranchTrace = 1ull << 9;          // BE
}  // namespace msr_bit

// The Facility Status and Control Register (Book III 4.4.3): its low bits
// enable facilities for problem state, and its top byte (IC) says which
// one a facility-unavailable interrupt was for. Causes as numbered there.
namespace facility {
inline constexpr unsigned kDscr = 2, kPerformanceMonitor = 3, kTransactionalMemory = 5, kEventBasedBranch = 7,
                          kTargetAddress = 8;
inline constexpr std::uint64_t enable_bit(unsigned cause) { return 1ull << cause; }
}  // namespace facility

struct CpuState {
  std::array<std::uint64_t, 32> gpr{};
  std::uint64_t nip = 0;
  std::uint64_t msr = 0;
  std::uint64_t lr = 0;
  std::uint64_t ctr = 0;
  std::uint32_t cr = 0;
  bool xer_so = false;
  bool xer_ov = false;
  bool xer_ca = false;
  std::uint8_t xer_byte_count = 0;

  std::uint64_t srr0 = 0, srr1 = 0;
  std::array<std::uint64_t, 4> sprg{};
  std::uint64_t dar = 0;
  std::uint32_t dsisr = 0;
  std::uint64_t pvr = 0;
  std::uint64_t pir = 0;
  std::uint64_t lpcr = 0;
  std::uint64_t amr = 0;
  std::uint64_t ctrl = 0;
  std::uint64_t dscr = 0;
  std::uint64_t ppr = 0;
  std::uint64_t cfar = 0;
  std::uint64_t fscr = 0;
  std::uint64_t tar = 0;
  std::uint32_t vrsave = 0;
  // SPRs whose only behaviour is to hold what was written (PMU, EBB, IAMR,
  // ...), indexed by SPR number; see spr_table.cpp for which ones exist.
  std::array<std::uint64_t, 1024> plain_spr{};

  // The decrementer is kept as the timebase value at which it reads zero,
  // so that it counts down with the timebase without being ticked.
  std::uint64_t dec_zero_tb = 0;

  // l*arx reservation (Book II 4.4.2): the reservation granule, and the
  // exact access and the bytes it read, which st*cx. compares-and-swaps so
  // that a store by any other vCPU in between makes it fail.
  bool reservation_valid = false;
  std::uint64_t reservation_address = 0;
  std::uint64_t reservation_real = 0;
  std::uint64_t reservation_bytes = 0;
  std::uint64_t reservation_second_bytes = 0;  // lqarx: the doubleword at the reservation + 8
  unsigned reservation_size = 0;

  // State the interpreter does not execute yet (FP, VMX, VSX, SLB) but
  // keeps so that registers() / set_registers() round-trip it.
  std::array<std::uint64_t, 32> fpr{};
  std::uint64_t fpscr = 0;
  std::array<std::array<std::uint64_t, 2>, 32> vr{};
  std::uint32_t vscr = 0;
  std::array<std::uint64_t, 32> vsr_low{};
  std::array<ppc::SlbEntry, ppc::kSlbEntries> slb{};

  // VSX register i (0-63) as two doublewords, [0] the most significant
  // (element 0 in the ISA's numbering). VSR 0-31 overlay the FPRs in their
  // high doubleword; VSR 32-63 are the VRs.
  std::array<std::uint64_t, 2> vsr(unsigned i) const {
    return i < 32 ? std::array<std::uint64_t, 2>{fpr[i], vsr_low[i]} : vr[i - 32];
  }
  void set_vsr(unsigned i, const std::array<std::uint64_t, 2>& value) {
    if (i < 32) {
      fpr[i] = value[0];
      vsr_low[i] = value[1];
    } else {
      vr[i - 32] = value;
    }
  }

  std::uint64_t xer() const {
    return (xer_so ? xer::kSummaryOverflow : 0) | (xer_ov ? xer::kOverflow : 0) | (xer_ca ? xer::kCarry : 0) |
           xer_byte_count;
  }
  void set_xer(std::uint64_t value) {
    xer_so = value & xer::kSummaryOverflow;
    xer_ov = value & xer::kOverflow;
    xer_ca = value & xer::kCarry;
    xer_byte_count = static_cast<std::uint8_t>(value & xer::kByteCountMask);
  }

  // CR field `field` (0 = CR0, the most significant nibble).
  std::uint32_t cr_field(unsigned field) const { return (cr >> (28 - 4 * field)) & 0xf; }
  void set_cr_field(unsigned field, std::uint32_t value) {
    const unsigned shift = 28 - 4 * field;
    cr = (cr & ~(0xfu << shift)) | ((value & 0xf) << shift);
  }
  // CR bit `bit` in the ISA's numbering (0 = CR0[LT]).
  bool cr_bit(unsigned bit) const { return (cr >> (31 - bit)) & 1; }
  void set_cr_bit(unsigned bit, bool value) {
    const std::uint32_t mask = 1u << (31 - bit);
    cr = value ? (cr | mask) : (cr & ~mask);
  }
};

}  // namespace mosaic::interp
