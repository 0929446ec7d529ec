#include "tce_table.hpp"

#include <algorithm>

#include "papr.hpp"

namespace mosaic::pseries {

namespace {
constexpr std::uint64_t kPageMask = (std::uint64_t{1} << TceTable::kPageShift) - 1;
constexpr std::uint64_t kPermissions = TceTable::kRead | TceTable::kWrite;
// H_PUT_TCE_INDIRECT takes at most one 4 KiB page of TCEs.
constexpr std::uint64_t kMaxIndirect = 512;
}  // namespace

std::optional<std::size_t> TceTable::index_of(std::uint64_t liobn, std::uint64_t ioba) const {
  if (liobn != kLiobn || (ioba & kPageMask) != 0 || ioba < kWindowBus || ioba - kWindowBus >= kWindowSize) {
    return std::nullopt;
  }
  return static_cast<std::size_t>((ioba - kWindowBus) >> kPageShift);
}

bool TceTable::valid_tce(std::uint64_t tce) const {
  if ((tce & kPermissions) == 0) return true;  // an unmapped entry; its address is not used
  return memory_.contains(tce & ~kPageMask, std::uint64_t{1} << kPageShift);
}

std::int64_t TceTable::put(HypercallCall& call) {
  const auto index = index_of(call.args[0], call.args[1]);
  const std::uint64_t tce = call.args[2];
  if (!index || !valid_tce(tce)) return papr::kParameter;
  std::lock_guard lock(mutex_);
  entries_[*index] = tce & (~kPageMask | kPermissions);
  return papr::kSuccess;
}

std::int64_t TceTable::get(HypercallCall& call) {
  const auto index = index_of(call.args[0], call.args[1]);
  if (!index) return papr::kParameter;
  std::lock_guard lock(mutex_);
  call.outputs[0] = entries_[*index];
  call.output_count = 1;
  return papr::kSuccess;
}

std::int64_t TceTable::stuff(HypercallCall& call) {
  const auto first = index_of(call.args[0], call.args[1]);
  const std::uint64_t tce = call.args[2];
  const std::uint64_t count = call.args[3];
  if (!first || !valid_tce(tce) || count > entries_.size() - *first) return papr::kParameter;
  std::lock_guard lock(mutex_);
  std::fill_n(entries_.begin() + static_cast<std::ptrdiff_t>(*first), count, tce & (~kPageMask | kPermissions));
  return papr::kSuccess;
}

std::int64_t TceTable::put_indirect(HypercallCall& call) {
  const auto first = index_of(call.args[0], call.args[1]);
  const std::uint64_t list = call.args[2];
  const std::uint64_t count = call.args[3];
  if (!first || count > kMaxIndirect || count > entries_.size() - *first || (list & kPageMask) != 0) {
    return papr::kParameter;
  }
  // The list is read once into our own copy, then checked, then applied.
  std::vector<std::byte> raw(count * 8);
  if (!memory_.read(list, raw)) return papr::kParameter;
  std::vector<std::uint64_t> tces(count);
  for (std::size_t i = 0; i < count; ++i) {
    std::uint64_t value = 0;
    for (std::size_t b = 0; b < 8; ++b) value = value << 8 | std::to_integer<std::uint64_t>(raw[8 * i + b]);
    if (!valid_tce(value)) return papr::kParameter;
    tces[i] = value & (~kPageMask | kPermissions);
  }
  std::lock_guard lock(mutex_);
  std::copy(tces.begin(), tces.end(), entries_.begin() + static_cast<std::ptrdiff_t>(*first));
  return papr::kSuccess;
}

std::optional<std::uint64_t> TceTable::translate(std::uint64_t bus_address, bool write) const {
  if (bus_address < kWindowBus || bus_address - kWindowBus >= kWindowSize) return std::nullopt;
  std::lock_guard lock(mutex_);
  const std::uint64_t tce = entries_[(bus_address - kWindowBus) >> kPageShift];
  if (!(tce & (write ? kWrite : kRead))) return std::nullopt;
  return (tce & ~kPageMask) | (bus_address & kPageMask);
}

void TceTable::reset() {
  std::lock_guard lock(mutex_);
  std::fill(entries_.begin(), entries_.end(), 0);
}

void TceTable::save(StateWriter& out) const {
  std::lock_guard lock(mutex_);
  out.tag("tce");
  std::uint64_t mapped = 0;
  for (const std::uint64_t entry : entries_) mapped += entry != 0 ? 1 : 0;
  out.u64(mapped);
  for (std::size_t index = 0; index < entries_.size(); ++index) {
    if (entries_[index] == 0) continue;
    out.u64(index);
    out.u64(entries_[index]);
  }
}

void TceTable::restore(StateReader& in) {
  std::lock_guard lock(mutex_);
  in.expect_tag("tce");
  std::fill(entries_.begin(), entries_.end(), 0);
  for (std::uint64_t left = in.count(16); left > 0; --left) {
    const std::uint64_t index = in.u64();
    const std::uint64_t entry = in.u64();
    if (index >= entries_.size() || !valid_tce(entry)) throw StateError("saved state: a TCE outside the DMA window or RAM");
    entries_[index] = entry;
  }
}

}  // namespace mosaic::pseries
