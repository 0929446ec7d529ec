#include "hash_table_storage.hpp"

#include <algorithm>

namespace mosaic::interp {

ppc::HptStatus HashTableStorage::allocate(unsigned order) {
  if (order < kMinOrder || order > kMaxOrder) return ppc::HptStatus::out_of_range;
  {
    std::lock_guard lock(mutex_);
    entries_.assign((std::uint64_t{1} << order) / ppc::hpte::kBytes, ppc::Hpte{});
    order_ = order;
  }
  translation_generation_.fetch_add(1, std::memory_order_release);
  return ppc::HptStatus::ok;
}

unsigned HashTableStorage::order() const {
  std::lock_guard lock(mutex_);
  return order_;
}

ppc::HptStatus HashTableStorage::read_hptes(std::uint64_t ptex, std::span<ppc::Hpte> out) {
  std::lock_guard lock(mutex_);
  if (const auto status = check_range(order_, ptex, out.size()); status != ppc::HptStatus::ok) return status;
  std::copy_n(entries_.begin() + static_cast<std::ptrdiff_t>(ptex), out.size(), out.begin());
  return ppc::HptStatus::ok;
}

ppc::HptStatus HashTableStorage::write_hpte(std::uint64_t ptex, const ppc::Hpte& entry) {
  bool replaced_a_translation = false;
  {
    std::lock_guard lock(mutex_);
    if (const auto status = check_range(order_, ptex, 1); status != ppc::HptStatus::ok) return status;
    replaced_a_translation = entries_[ptex].v & ppc::hpte::kValid;
    // Invalid entries read back as zero (the HashPageTable contract).
    entries_[ptex] = (entry.v & ppc::hpte::kValid) ? entry : ppc::Hpte{};
  }
  // TLBs cache only translations that exist: filling a free slot (most
  // H_ENTERs) cannot make one stale, so the vCPUs keep their TLBs.
  if (replaced_a_translation) translation_generation_.fetch_add(1, std::memory_order_release);
  return ppc::HptStatus::ok;
}

void HashTableStorage::record_reference(std::uint64_t ptex, std::uint64_t expected_v, std::uint64_t bits) {
  std::lock_guard lock(mutex_);
  if (check_range(order_, ptex, 1) == ppc::HptStatus::ok && entries_[ptex].v == expected_v) entries_[ptex].r |= bits;
}

}  // namespace mosaic::interp
