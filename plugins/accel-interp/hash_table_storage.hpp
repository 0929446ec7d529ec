// The interpreter's HPT storage: the entries live in this process, so the
// MMU reads them directly; every write that replaces or removes a valid
// entry bumps the translation generation so that all vCPUs drop their
// software TLBs before their next access.
#pragma once

#include <atomic>
#include <mutex>
#include <vector>

#include "mosaic/ppc.hpp"

namespace mosaic::interp {

class HashTableStorage final : public ppc::HashPageTable {
 public:
  explicit HashTableStorage(std::atomic<std::uint64_t>& translation_generation)
      : translation_generation_(translation_generation) {}

  ppc::HptStatus allocate(unsigned order) override;
  unsigned order() const override;
  ppc::HptStatus read_hptes(std::uint64_t ptex, std::span<ppc::Hpte> out) override;
  ppc::HptStatus write_hpte(std::uint64_t ptex, const ppc::Hpte& entry) override;
  std::span<ppc::Hpte> direct_view() override { return entries_; }

  // The MMU's reference/change recording: ORs `bits` into entry `ptex`'s
  // second doubleword if its first is still `expected_v`, so that an entry
  // another vCPU removed meanwhile is never brought back. R and C do not
  // change any translation, so TLBs stay valid.
  void record_reference(std::uint64_t ptex, std::uint64_t expected_v, std::uint64_t bits);

 private:
  std::atomic<std::uint64_t>& translation_generation_;
  mutable std::mutex mutex_;  // entries are two doublewords: no torn reads
  unsigned order_ = 0;
  std::vector<ppc::Hpte> entries_;
};

}  // namespace mosaic::interp
