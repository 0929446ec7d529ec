#include "hcall_hpt.hpp"

#include "mosaic/ppc_hash.hpp"

namespace mosaic::pseries {
namespace {

namespace hpte = ppc::hpte;

// Second-doubleword fields (Power ISA 2.07 Book III 5.7.7.1).
constexpr std::uint64_t kRpnMask = 0x0ffffffffffff000ull;
constexpr std::uint64_t kWimgMask = 0x78;
constexpr std::uint64_t kWriteThrough = 0x40, kCacheInhibited = 0x20, kCoherent = 0x10;
constexpr std::uint64_t kPp0 = 1ull << 63;
constexpr std::uint64_t kKeyHigh = 3ull << 60;
constexpr std::uint64_t kKeyLow = 0xe00;
constexpr std::uint64_t kNoExecute = 0x4;
constexpr std::uint64_t kPp = 0x3;
// Software bits of the first doubleword that belong to the hypervisor
// (KVM's HVLOCK and ABSENT); a guest may not set them.
constexpr std::uint64_t kHypervisorSoftwareBits = 0x60;

// H_BULK_REMOVE's translation specifier (LoPAPR 14.5.4.1.3).
constexpr std::uint64_t kBulkType = 0xc000000000000000ull;
constexpr std::uint64_t kBulkRequest = 0x4000000000000000ull;
constexpr std::uint64_t kBulkResponse = 0x8000000000000000ull;
constexpr std::uint64_t kBulkEnd = 0xc000000000000000ull;
constexpr std::uint64_t kBulkAndCond = 0x0100000000000000ull;
constexpr std::uint64_t kBulkAvpn = 0x0200000000000000ull;
constexpr std::uint64_t kBulkFlags = kBulkAndCond | kBulkAvpn;
constexpr std::uint64_t kBulkIndex = 0x00ffffffffffffffull;
constexpr unsigned kBulkCodeShift = 60;
constexpr unsigned kBulkReferenceChangeShift = 43;  // R,C (bits 55,56) land in the RC field
constexpr unsigned kBulkFlagsToHcallFlags = 26;  // AVPN/ANDCOND move to H_AVPN/H_ANDCOND
constexpr std::size_t kBulkMaxPairs = 4;

}  // namespace

unsigned HptHypercalls::page_shift_of(const ppc::Hpte& entry) const {
  if (!(entry.v & hpte::kLarge)) return 12;
  for (const auto& segment : page_sizes_) {
    if (const auto shift = ppc::hpte_page_shift(segment, entry)) return *shift;
  }
  return 0;
}

std::int64_t HptHypercalls::enter(HypercallCall& call) {
  const std::uint64_t flags = call.args[0];
  std::uint64_t ptex = call.args[1];
  ppc::Hpte entry{call.args[2] & ~kHypervisorSoftwareBits, call.args[3]};

  const unsigned page_shift = page_shift_of(entry);
  if (page_shift == 0) return papr::kParameter;  // an LP encoding we do not offer
  const std::uint64_t real_address = (entry.r & kRpnMask) & ~((std::uint64_t{1} << page_shift) - 1);
  if (real_address < ram_size_) {
    // The whole page must be RAM: a large page running past its end would
    // map I/O space as cacheable memory (found by fuzzing).
    if ((std::uint64_t{1} << page_shift) > ram_size_ - real_address) return papr::kParameter;
    // RAM must be mapped cacheable and coherent, as on PowerVM.
    if ((entry.r & kWimgMask) != kCoherent) return papr::kParameter;
  } else {
    const std::uint64_t wim = entry.r & (kWriteThrough | kCacheInhibited | kCoherent);
    if (wim != kCacheInhibited && wim != (kCacheInhibited | kCoherent)) return papr::kParameter;
  }
  if (!valid_index(ptex)) return papr::kParameter;

  std::lock_guard lock(mutex_);
  std::array<ppc::Hpte, hpte::kPerGroup> group;
  const std::uint64_t group_start = ptex & ~std::uint64_t{7};
  if (table_->read_hptes(group_start, group) != ppc::HptStatus::ok) return papr::kHardware;
  std::size_t slot = ptex & 7;
  if (flags & papr::kExact) {
    if (group[slot].v & hpte::kValid) return papr::kPtegFull;
  } else {
    slot = 0;
    while (slot < group.size() && (group[slot].v & hpte::kValid)) ++slot;
    if (slot == group.size()) return papr::kPtegFull;
  }
  ptex = group_start + slot;
  if (table_->write_hpte(ptex, entry) != ppc::HptStatus::ok) return papr::kHardware;
  call.outputs[0] = ptex;
  call.output_count = 1;
  return papr::kSuccess;
}

HptHypercalls::RemoveResult HptHypercalls::remove_entry(std::uint64_t ptex, std::uint64_t avpn, std::uint64_t flags,
                                                        ppc::Hpte& old) {
  if (!valid_index(ptex)) return RemoveResult::parameter;
  std::array<ppc::Hpte, 1> entry;
  if (table_->read_hptes(ptex, entry) != ppc::HptStatus::ok) return RemoveResult::hardware;
  const ppc::Hpte current = entry[0];
  // H_AVPN compares the whole AVPN (low 7 software/flag bits excluded);
  // H_ANDCOND removes only when none of the given bits is set.
  if (!(current.v & hpte::kValid) || ((flags & papr::kAvpn) && (current.v & ~std::uint64_t{0x7f}) != avpn) ||
      ((flags & papr::kAndCond) && (current.v & avpn) != 0)) {
    return RemoveResult::not_found;
  }
  if (table_->write_hpte(ptex, ppc::Hpte{}) != ppc::HptStatus::ok) return RemoveResult::hardware;
  old = current;
  return RemoveResult::success;
}

std::int64_t HptHypercalls::remove(HypercallCall& call) {
  std::lock_guard lock(mutex_);
  ppc::Hpte old;
  switch (remove_entry(call.args[1], call.args[2], call.args[0], old)) {
    case RemoveResult::success:
      call.outputs[0] = old.v;
      call.outputs[1] = old.r;
      call.output_count = 2;
      return papr::kSuccess;
    case RemoveResult::not_found: return papr::kNotFound;
    case RemoveResult::parameter: return papr::kParameter;
    case RemoveResult::hardware: return papr::kHardware;
  }
  return papr::kHardware;
}

std::int64_t HptHypercalls::read(HypercallCall& call) {
  std::uint64_t ptex = call.args[1];
  if (!valid_index(ptex)) return papr::kParameter;
  std::size_t count = 1;
  if (call.args[0] & papr::kRead4) {
    ptex &= ~std::uint64_t{3};  // four entries from the aligned quarter-group
    count = 4;
  }
  std::array<ppc::Hpte, 4> entries;
  std::lock_guard lock(mutex_);
  if (table_->read_hptes(ptex, std::span(entries).first(count)) != ppc::HptStatus::ok) return papr::kHardware;
  for (std::size_t i = 0; i < count; ++i) {
    call.outputs[2 * i] = entries[i].v;
    call.outputs[2 * i + 1] = entries[i].r;
  }
  call.output_count = 2 * count;
  return papr::kSuccess;
}

std::int64_t HptHypercalls::protect(HypercallCall& call) {
  const std::uint64_t flags = call.args[0];
  const std::uint64_t ptex = call.args[1];
  const std::uint64_t avpn = call.args[2];
  if (!valid_index(ptex)) return papr::kParameter;
  std::lock_guard lock(mutex_);
  std::array<ppc::Hpte, 1> entry;
  if (table_->read_hptes(ptex, entry) != ppc::HptStatus::ok) return papr::kHardware;
  ppc::Hpte updated = entry[0];
  if (!(updated.v & hpte::kValid) || ((flags & papr::kAvpn) && (updated.v & ~std::uint64_t{0x7f}) != avpn)) {
    return papr::kNotFound;
  }
  // The new pp0, key, N and pp come from the flags word: pp0 at PAPR bit
  // 55 (moved to bit 0 of the HPTE), the key's high bits at 58-59 and the
  // rest at the HPTE's own positions.
  updated.r &= ~(kPp0 | kPp | kNoExecute | kKeyHigh | kKeyLow);
  updated.r |= (flags << 55) & kPp0;
  updated.r |= (flags << 48) & kKeyHigh;
  updated.r |= flags & (kPp | kNoExecute | kKeyLow);
  // Invalidate first so that no vCPU ever translates through a half-made
  // entry, then write the new one.
  if (table_->write_hpte(ptex, ppc::Hpte{updated.v & ~hpte::kValid, 0}) != ppc::HptStatus::ok ||
      table_->write_hpte(ptex, updated) != ppc::HptStatus::ok) {
    return papr::kHardware;
  }
  return papr::kSuccess;
}

std::int64_t HptHypercalls::bulk_remove(HypercallCall& call) {
  std::lock_guard lock(mutex_);
  // The translation specifiers are updated in place and returned in r4-r11.
  call.outputs = call.args;
  call.output_count = 2 * kBulkMaxPairs;
  for (std::size_t pair = 0; pair < kBulkMaxPairs; ++pair) {
    std::uint64_t& specifier = call.outputs[2 * pair];
    const std::uint64_t avpn = call.outputs[2 * pair + 1];
    if ((specifier & kBulkType) == kBulkEnd) break;
    if ((specifier & kBulkType) != kBulkRequest) return papr::kParameter;
    specifier = (specifier & (kBulkIndex | kBulkFlags)) | kBulkResponse;
    if ((specifier & kBulkAndCond) && (specifier & kBulkAvpn)) {
      specifier |= static_cast<std::uint64_t>(RemoveResult::parameter) << kBulkCodeShift;
      return papr::kParameter;
    }
    ppc::Hpte old;
    const RemoveResult result =
        remove_entry(specifier & kBulkIndex, avpn, (specifier & kBulkFlags) >> kBulkFlagsToHcallFlags, old);
    specifier |= static_cast<std::uint64_t>(result) << kBulkCodeShift;
    if (result == RemoveResult::success) {
      specifier |= (old.r & (hpte::kReferenced | hpte::kChanged)) << kBulkReferenceChangeShift;
    } else if (result == RemoveResult::parameter) {
      return papr::kParameter;
    } else if (result == RemoveResult::hardware) {
      return papr::kHardware;
    }
  }
  return papr::kSuccess;
}

// H_CLEAR_REF / H_CLEAR_MOD: return the entry's second doubleword as it was,
// then clear R (or C) in it. Flags are reserved and must be zero.
std::int64_t HptHypercalls::clear_bit(HypercallCall& call, std::uint64_t bit) {
  const std::uint64_t ptex = call.args[1];
  if (call.args[0] != 0 || !valid_index(ptex)) return papr::kParameter;
  std::lock_guard lock(mutex_);
  std::array<ppc::Hpte, 1> entry;
  if (table_->read_hptes(ptex, entry) != ppc::HptStatus::ok) return papr::kHardware;
  if (!(entry[0].v & hpte::kValid)) return papr::kNotFound;
  call.outputs[0] = entry[0].r;
  call.output_count = 1;
  if (entry[0].r & bit) {
    if (table_->write_hpte(ptex, ppc::Hpte{entry[0].v, entry[0].r & ~bit}) != ppc::HptStatus::ok) {
      return papr::kHardware;
    }
  }
  return papr::kSuccess;
}

std::int64_t HptHypercalls::clear_reference(HypercallCall& call) { return clear_bit(call, hpte::kReferenced); }
std::int64_t HptHypercalls::clear_modified(HypercallCall& call) { return clear_bit(call, hpte::kChanged); }

}  // namespace mosaic::pseries
