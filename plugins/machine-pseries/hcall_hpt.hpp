// The PAPR hashed-page-table hypercalls (hcall-pft and hcall-bulk): H_ENTER,
// H_REMOVE, H_READ, H_PROTECT, H_BULK_REMOVE, H_CLEAR_REF, H_CLEAR_MOD. The
// machine owns their semantics; every entry is read and written through the
// accelerator's HashPageTable, which also keeps its translation caches in
// step with what is written.
#pragma once

#include <cstdint>
#include <mutex>
#include <span>
#include <vector>

#include "mosaic/device.hpp"
#include "mosaic/ppc.hpp"
#include "papr.hpp"

namespace mosaic::pseries {

class HptHypercalls {
 public:
  HptHypercalls(ppc::HashPageTable& table, std::vector<ppc::SegmentPageSizes> page_sizes, std::uint64_t ram_size)
      : table_(&table), page_sizes_(std::move(page_sizes)), ram_size_(ram_size) {}

  // Another accelerator's table and page sizes (an accelerator switch,
  // while no vCPU runs).
  void rebind(ppc::HashPageTable& table, std::vector<ppc::SegmentPageSizes> page_sizes) {
    std::lock_guard lock(mutex_);
    table_ = &table;
    page_sizes_ = std::move(page_sizes);
  }

  std::int64_t enter(HypercallCall& call);
  std::int64_t remove(HypercallCall& call);
  std::int64_t read(HypercallCall& call);
  std::int64_t protect(HypercallCall& call);
  std::int64_t bulk_remove(HypercallCall& call);
  std::int64_t clear_reference(HypercallCall& call);
  std::int64_t clear_modified(HypercallCall& call);

  // Registers all of them with `registrar(number, handler)`.
  template <typename Registrar>
  void register_with(Registrar&& registrar) {
    registrar(papr::kEnter, [this](HypercallCall& call) { return enter(call); });
    registrar(papr::kRemove, [this](HypercallCall& call) { return remove(call); });
    registrar(papr::kRead, [this](HypercallCall& call) { return read(call); });
    registrar(papr::kProtect, [this](HypercallCall& call) { return protect(call); });
    registrar(papr::kBulkRemove, [this](HypercallCall& call) { return bulk_remove(call); });
    registrar(papr::kClearRef, [this](HypercallCall& call) { return clear_reference(call); });
    registrar(papr::kClearMod, [this](HypercallCall& call) { return clear_modified(call); });
  }

 private:
  enum class RemoveResult : std::uint64_t { success = 0, not_found = 1, parameter = 2, hardware = 3 };
  RemoveResult remove_entry(std::uint64_t ptex, std::uint64_t avpn, std::uint64_t flags, ppc::Hpte& old);
  std::int64_t clear_bit(HypercallCall& call, std::uint64_t bit);
  bool valid_index(std::uint64_t ptex) const { return ptex < table_->entry_count(); }
  unsigned page_shift_of(const ppc::Hpte& entry) const;

  ppc::HashPageTable* table_;
  std::vector<ppc::SegmentPageSizes> page_sizes_;
  std::uint64_t ram_size_;
  // Each hypercall is a read-modify-write of HPTEs: vCPUs must not interleave.
  std::mutex mutex_;
};

}  // namespace mosaic::pseries
