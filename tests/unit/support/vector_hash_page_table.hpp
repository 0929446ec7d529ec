// An in-memory HashPageTable for tests of code that uses the storage
// contract (hash walks, hypercalls), counting the calls made to it.
#pragma once

#include <algorithm>
#include <vector>

#include "mosaic/ppc.hpp"

namespace mosaic::testing {

class VectorHashPageTable final : public ppc::HashPageTable {
 public:
  ppc::HptStatus allocate(unsigned order) override {
    order_ = order;
    entries_.assign((std::uint64_t{1} << order) / ppc::hpte::kBytes, ppc::Hpte{});
    return ppc::HptStatus::ok;
  }
  unsigned order() const override { return order_; }

  ppc::HptStatus read_hptes(std::uint64_t ptex, std::span<ppc::Hpte> out) override {
    ++reads;
    last_read_size = out.size();
    if (ptex > entries_.size() || out.size() > entries_.size() - ptex) return ppc::HptStatus::out_of_range;
    std::copy_n(entries_.begin() + static_cast<std::ptrdiff_t>(ptex), out.size(), out.begin());
    return ppc::HptStatus::ok;
  }

  ppc::HptStatus write_hpte(std::uint64_t ptex, const ppc::Hpte& entry) override {
    ++writes;
    if (ptex >= entries_.size()) return ppc::HptStatus::out_of_range;
    // Like the real storages: an entry without V reads back as zero.
    entries_[ptex] = (entry.v & ppc::hpte::kValid) ? entry : ppc::Hpte{};
    return ppc::HptStatus::ok;
  }

  const ppc::Hpte& at(std::uint64_t ptex) const { return entries_.at(ptex); }

  int reads = 0;
  int writes = 0;
  std::size_t last_read_size = 0;

 private:
  unsigned order_ = 0;
  std::vector<ppc::Hpte> entries_;
};

}  // namespace mosaic::testing
