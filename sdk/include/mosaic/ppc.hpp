// The PowerPC part of the SDK: register state, segment and page-size
// descriptions, and the hashed page table storage contract. The core never
// includes this file; accelerators, machines and debuggers share it.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace mosaic::ppc {

// One SLB entry as slbmte/slbmfee/slbmfev see it (Power ISA 2.07 Book III
// 5.7.6): `esid` holds ESID, V and the index; `vsid` holds B, VSID, Ks, Kp,
// N, L, C and LP.
struct SlbEntry {
  std::uint64_t esid = 0;
  std::uint64_t vsid = 0;
};

inline constexpr std::size_t kSlbEntries = 32;

// Architected state of one vCPU, in host byte order. Accelerators convert
// to and from their own representation.
struct Registers {
  std::array<std::uint64_t, 32> gpr{};
  std::uint64_t nip = 0;
  std::uint64_t msr = 0;
  std::uint64_t lr = 0;
  std::uint64_t ctr = 0;
  std::uint64_t xer = 0;
  std::uint32_t cr = 0;

  std::array<std::uint64_t, 32> fpr{};
  std::uint64_t fpscr = 0;
  std::array<std::array<std::uint64_t, 2>, 32> vr{};  // [0] = high doubleword
  std::uint32_t vscr = 0;
  std::uint32_t vrsave = 0;
  // Low doublewords of VSR0-31 (the high ones are the FPRs).
  std::array<std::uint64_t, 32> vsr_low{};

  std::uint64_t srr0 = 0, srr1 = 0;
  std::array<std::uint64_t, 4> sprg{};
  std::uint64_t dar = 0;
  std::uint32_t dsisr = 0;
  std::uint32_t dec = 0;
  // The guest timebase when the registers were read; set_registers()
  // ignores it (partitions cannot write the timebase). 0 from accelerators
  // that cannot read it (KVM); the machine needs it only in deterministic
  // mode, where it is the guest's clock.
  std::uint64_t tb = 0;
  std::uint64_t pvr = 0;
  std::uint64_t pir = 0;
  std::uint64_t lpcr = 0;  // written by the machine (H_SET_MODE: ILE, AIL)
  std::uint64_t amr = 0;
  std::uint64_t ctrl = 0;
  std::uint64_t dscr = 0;
  std::uint64_t ppr = 0;
  std::uint64_t cfar = 0;
  std::uint64_t fscr = 0;
  std::uint64_t tar = 0;
  std::array<SlbEntry, kSlbEntries> slb{};
};

// MSR bits the SDK users need to agree on (Power ISA 2.07 Book III 4.2.1).
namespace msr {
inline constexpr std::uint64_t kSixtyFour = 1ull << 63;  // SF
inline constexpr std::uint64_t kHypervisor = 1ull << 60;  // HV
inline constexpr std::uint64_t kExternalEnable = 1ull << 15;  // EE
inline constexpr std::uint64_t kProblemState = 1ull << 14;  // PR
inline constexpr std::uint64_t kFloatingPoint = 1ull << 13;  // FP
inline constexpr std::uint64_t kMachineCheckEnable = 1ull << 12;  // ME
inline constexpr std::uint64_t kInstructionRelocate = 1ull << 5;  // IR
inline constexpr std::uint64_t kDataRelocate = 1ull << 4;  // DR
inline constexpr std::uint64_t kRecoverable = 1ull << 1;  // RI
inline constexpr std::uint64_t kLittleEndian = 1ull << 0;  // LE
}  // namespace msr

namespace lpcr {
inline constexpr std::uint64_t kInterruptLittleEndian = 1ull << 25;  // ILE: interrupts run little-endian
}  // namespace lpcr

// SRR1 bits an interrupt sets itself instead of copying them from the MSR
// (MSB-0 bits 33:36 and 42:47, Book III 6.5).
inline constexpr std::uint64_t kSrr1InterruptBits = 0x783f0000ull;

// The machine check POWER8 takes for an access no unit answers (a link
// timeout), with the causes as Linux's mce_power.c decodes them; every
// accelerator delivers it the same way (Vcpu::fail_mmio).
namespace machine_check {
inline constexpr std::uint64_t kVector = 0x200;
inline constexpr std::uint64_t kSrr1FetchLinkTimeout = 0x08000000ull;  // SRR1 bits 36, 43:45
inline constexpr std::uint64_t kSrr1LoadStore = 0x00200000ull;  // SRR1 bit 42: DSISR says why
inline constexpr std::uint32_t kDsisrLinkTimeout = 0x2000;
}  // namespace machine_check

// One actual page size available inside a segment base page size, with the
// HPTE LP encoding that selects it (ibm,segment-page-sizes in the device tree).
struct PageSize {
  unsigned shift = 0;
  std::uint32_t pte_encoding = 0;
};

struct SegmentPageSizes {
  unsigned base_shift = 0;
  std::uint32_t slb_encoding = 0;  // L||LP bits as placed in the SLB's VSID word
  std::vector<PageSize> page_sizes;
};

// One hashed page table entry, both doublewords in host byte order, in the
// pre-ISA-3.0 format (Power ISA 2.07 Book III 5.7.7.1).
struct Hpte {
  std::uint64_t v = 0;  // first doubleword: AVPN, SW, L, H, V
  std::uint64_t r = 0;  // second doubleword: RPN, R, C, WIMG, N, PP, key
  friend bool operator==(const Hpte&, const Hpte&) = default;
};

namespace hpte {
inline constexpr std::uint64_t kValid = 1ull << 0;  // V, in Hpte::v
inline constexpr std::uint64_t kSecondaryHash = 1ull << 1;  // H
inline constexpr std::uint64_t kLarge = 1ull << 2;  // L
inline constexpr std::uint64_t kBolted = 1ull << 4;  // a software bit Linux sets on bolted entries
inline constexpr std::uint64_t kReferenced = 1ull << 8;  // R, in Hpte::r
inline constexpr std::uint64_t kChanged = 1ull << 7;  // C
inline constexpr std::size_t kPerGroup = 8;  // one PTEG
inline constexpr std::size_t kBytes = 16;
}  // namespace hpte

enum class HptStatus {
  ok,
  out_of_range,  // [ptex, ptex + n) is not inside the allocated table
  no_table,      // allocate() has not been called
  io_error,      // the accelerator's storage failed (e.g. the KVM htab fd)
};

// Storage of the guest's hashed page table. The machine owns the table's
// meaning (size, hypercalls, lookups); the accelerator owns where the
// entries live and implements this. Safe to call from any vCPU thread and
// from the debugger; implementations serialise as they need.
class HashPageTable {
 public:
  virtual ~HashPageTable() = default;

  // PAPR's bounds on the table's size, log2 bytes (ibm,pft-size).
  static constexpr unsigned kMinOrder = 18;
  static constexpr unsigned kMaxOrder = 46;

  // (Re)creates an empty table of 2^order bytes, kMinOrder <= order <=
  // kMaxOrder (out_of_range otherwise).
  virtual HptStatus allocate(unsigned order) = 0;
  // log2 of the table size in bytes; 0 before allocate().
  virtual unsigned order() const = 0;
  std::uint64_t entry_count() const { return order() ? (std::uint64_t{1} << order()) / hpte::kBytes : 0; }
  // Whether entries [ptex, ptex + count) of a table of 2^order bytes can be
  // accessed: ok, no_table for order 0 (not allocated), out_of_range past
  // the table's end. Static so that an implementation can pass the order
  // it holds under its own lock.
  static HptStatus check_range(unsigned order, std::uint64_t ptex, std::uint64_t count) {
    if (order == 0) return HptStatus::no_table;
    const std::uint64_t entries = (std::uint64_t{1} << order) / hpte::kBytes;
    if (ptex > entries || count > entries - ptex) return HptStatus::out_of_range;
    return HptStatus::ok;
  }

  // Reads entries ptex .. ptex+out.size()-1 exactly as the table holds them;
  // entries that are not valid read back as zero in both doublewords.
  virtual HptStatus read_hptes(std::uint64_t ptex, std::span<Hpte> out) = 0;
  // Writes one entry. An entry whose V bit is clear invalidates the slot.
  virtual HptStatus write_hpte(std::uint64_t ptex, const Hpte& entry) = 0;

  // The table itself when it lives in this process (the interpreter's MMU
  // fast path); empty when the storage is elsewhere (in-kernel).
  virtual std::span<Hpte> direct_view() { return {}; }
};

}  // namespace mosaic::ppc
