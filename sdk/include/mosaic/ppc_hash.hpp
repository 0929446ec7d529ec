// The 64-bit hashed page table walk (Power ISA 2.07 Book III 5.7.7): SLB
// lookup, primary then secondary PTEG search, page-size decode. Pure and
// shared by the interpreter's MMU and by the machine's debug translation, so
// both see exactly the same translation.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>

#include "mosaic/ppc.hpp"

namespace mosaic::ppc {

namespace slb {
inline constexpr std::uint64_t kValid = 1ull << 27;  // V in the ESID word
inline constexpr std::uint64_t kSegmentSizeMask = 3ull << 62;  // B in the VSID word
inline constexpr std::uint64_t kSegment1T = 1ull << 62;
inline constexpr std::uint64_t kVsidMask = 0x3ffffffffffff000ull;
inline constexpr std::uint64_t kKs = 1ull << 11;
inline constexpr std::uint64_t kKp = 1ull << 10;
inline constexpr std::uint64_t kNoExecute = 1ull << 9;
inline constexpr std::uint64_t kPageSizeMask = 0x130;  // L || LP
inline constexpr unsigned kVsidShift256M = 12;
inline constexpr unsigned kVsidShift1T = 24;

// log2 of the size of the segment an entry maps: 1 TB or 256 MB.
inline unsigned segment_shift(const SlbEntry& entry) {
  return (entry.vsid & kSegmentSizeMask) == kSegment1T ? 40 : 28;
}
}  // namespace slb

struct Segment {
  std::uint64_t vsid_word = 0;  // the SLB entry's VSID word, as matched
  std::uint64_t vsid = 0;
  bool is_1t = false;
};

// The valid SLB entry that maps `effective_address`, if any.
inline std::optional<Segment> find_segment(std::span<const SlbEntry> entries, std::uint64_t effective_address) {
  for (const SlbEntry& entry : entries) {
    if (!(entry.esid & slb::kValid)) continue;
    const std::uint64_t size = entry.vsid & slb::kSegmentSizeMask;
    if (size == 0) {
      if ((entry.esid >> 28) != (effective_address >> 28)) continue;
      return Segment{entry.vsid, (entry.vsid & slb::kVsidMask) >> slb::kVsidShift256M, false};
    }
    if (size == slb::kSegment1T) {
      if ((entry.esid >> 40) != (effective_address >> 40)) continue;
      return Segment{entry.vsid, (entry.vsid & slb::kVsidMask) >> slb::kVsidShift1T, true};
    }
    // B = 0b10/0b11 are reserved segment sizes: the entry never matches.
  }
  return std::nullopt;
}

struct HashTranslation {
  std::uint64_t real_address = 0;
  std::uint64_t ptex = 0;  // index of the matching HPTE
  Hpte entry;
  unsigned page_shift = 0;
};

// The actual page size an HPTE maps, given the segment's base page size:
// L = 0 means the base size is 4K; otherwise the low RPN bits carry the LP
// encoding of one of the segment's page sizes.
inline std::optional<unsigned> hpte_page_shift(const SegmentPageSizes& segment_sizes, const Hpte& entry) {
  if (!(entry.v & hpte::kLarge)) {
    return segment_sizes.base_shift == 12 ? std::optional<unsigned>(12) : std::nullopt;
  }
  for (const PageSize& size : segment_sizes.page_sizes) {
    if (size.shift <= 12) continue;
    const std::uint64_t lp_mask = ((std::uint64_t{1} << size.shift) - 1) & ~std::uint64_t{0xfff};
    if ((entry.r & lp_mask) == (std::uint64_t{size.pte_encoding} << 12)) return size.shift;
  }
  return std::nullopt;
}

// The segment page-size entry whose SLB encoding matches the segment.
inline const SegmentPageSizes* segment_page_sizes(std::span<const SegmentPageSizes> supported,
                                                  const Segment& segment) {
  for (const SegmentPageSizes& sizes : supported) {
    if ((segment.vsid_word & slb::kPageSizeMask) == sizes.slb_encoding) return &sizes;
  }
  return nullptr;
}

// Searches the primary, then the secondary PTEG for `effective_address`,
// reading one PTEG (8 HPTEs) per read_hptes call. nullopt when no valid
// entry maps it or the segment's page size is not supported.
inline std::optional<HashTranslation> hash_lookup(HashPageTable& table, const Segment& segment,
                                                  std::uint64_t effective_address,
                                                  std::span<const SegmentPageSizes> supported) {
  const SegmentPageSizes* sizes = segment_page_sizes(supported, segment);
  const unsigned order = table.order();
  if (sizes == nullptr || order < 18) return std::nullopt;
  const unsigned base_shift = sizes->base_shift;
  const std::uint64_t segment_offset_mask = segment.is_1t ? (std::uint64_t{1} << 40) - 1 : (std::uint64_t{1} << 28) - 1;
  const std::uint64_t page_number = (effective_address & segment_offset_mask) >> base_shift;
  std::uint64_t hash = segment.vsid ^ page_number;
  if (segment.is_1t) hash ^= segment.vsid << 25;
  const std::uint64_t group_mask = (std::uint64_t{1} << (order - 7)) - 1;  // 128-byte PTEGs
  // The abbreviated virtual page number the HPTE must carry: B and VSID from
  // the SLB, then the high bits of the page offset within the segment.
  const std::uint64_t avpn = (segment.vsid_word & (slb::kSegmentSizeMask | slb::kVsidMask)) |
                             (((page_number << base_shift) >> 16) & 0x3fffffffffffff80ull);
  constexpr std::uint64_t kCompareMask = 0xffffffffffffff83ull;  // B, AVPN, H, V (not SW, L)

  for (int secondary = 0; secondary < 2; ++secondary) {
    const std::uint64_t group = (secondary ? ~hash : hash) & group_mask;
    std::array<Hpte, hpte::kPerGroup> entries;
    if (table.read_hptes(group * hpte::kPerGroup, entries) != HptStatus::ok) return std::nullopt;
    const std::uint64_t wanted = avpn | hpte::kValid | (secondary ? hpte::kSecondaryHash : 0);
    for (std::size_t slot = 0; slot < entries.size(); ++slot) {
      const Hpte& entry = entries[slot];
      if (((entry.v ^ wanted) & kCompareMask) != 0) continue;
      const auto page_shift = hpte_page_shift(*sizes, entry);
      if (!page_shift) continue;
      const std::uint64_t page_mask = (std::uint64_t{1} << *page_shift) - 1;
      const std::uint64_t real_page = entry.r & 0x0ffffffffffff000ull & ~page_mask;
      return HashTranslation{real_page | (effective_address & page_mask), group * hpte::kPerGroup + slot, entry,
                             *page_shift};
    }
  }
  return std::nullopt;
}

// A data access's real address as a debugger sees it on a stopped vCPU:
// untranslated with MSR[DR] clear (bits 0:3 ignored, as in real mode),
// otherwise through the vCPU's SLB and the HPT. nullopt: no translation.
inline std::optional<std::uint64_t> debug_translate(const Registers& registers, HashPageTable& table,
                                                    std::span<const SegmentPageSizes> supported,
                                                    std::uint64_t effective_address) {
  constexpr std::uint64_t kRealAddressMask = 0x0fffffffffffffffull;
  if (!(registers.msr & msr::kDataRelocate)) return effective_address & kRealAddressMask;
  const auto segment = find_segment(registers.slb, effective_address);
  if (!segment) return std::nullopt;
  const auto translation = hash_lookup(table, *segment, effective_address, supported);
  if (!translation) return std::nullopt;
  return translation->real_address;
}

}  // namespace mosaic::ppc
