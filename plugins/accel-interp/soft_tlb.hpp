// A direct-mapped software TLB from effective 4 KiB pages to host pointers,
// one table per access kind, so that a load or store that hits costs a
// compare and a memcpy, and a fetch from another page no HPT search.
// Entries map RAM only; MMIO always takes the slow path. Flushed whole when
// translations change (tlbie, HPT writes), by segment when the SLB changes.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace mosaic::interp {

inline constexpr unsigned kTlbPageShift = 12;
inline constexpr std::uint64_t kTlbPageMask = (std::uint64_t{1} << kTlbPageShift) - 1;

struct TlbEntry {
  std::uint64_t tag = ~std::uint64_t{0};  // effective page address; never page-aligned when empty
  std::byte* host_page = nullptr;
  std::uint64_t real_page = 0;
};

class SoftTlb {
 public:
  static constexpr std::size_t kEntries = 512;

  const TlbEntry* find_read(std::uint64_t ea) const { return find(read_, ea); }
  const TlbEntry* find_write(std::uint64_t ea) const { return find(write_, ea); }
  const TlbEntry* find_execute(std::uint64_t ea) const { return find(execute_, ea); }

  void insert_read(std::uint64_t ea, std::byte* host_page, std::uint64_t real_page) {
    read_[slot(ea)] = {ea & ~kTlbPageMask, host_page, real_page};
  }
  void insert_write(std::uint64_t ea, std::byte* host_page, std::uint64_t real_page) {
    write_[slot(ea)] = {ea & ~kTlbPageMask, host_page, real_page};
  }
  // Instruction fetch: only the real page matters (the run loop decodes it).
  void insert_execute(std::uint64_t ea, std::uint64_t real_page) {
    execute_[slot(ea)] = {ea & ~kTlbPageMask, nullptr, real_page};
  }
  void flush() {
    read_.fill(TlbEntry{});
    write_.fill(TlbEntry{});
    execute_.fill(TlbEntry{});
  }
  // Drops the entries of effective pages in [base, base + size).
  void flush_range(std::uint64_t base, std::uint64_t size) {
    for (Table* table : {&read_, &write_, &execute_}) {
      for (TlbEntry& entry : *table) {
        if (entry.tag - base < size) entry = TlbEntry{};
      }
    }
  }

 private:
  using Table = std::array<TlbEntry, kEntries>;
  static std::size_t slot(std::uint64_t ea) { return (ea >> kTlbPageShift) & (kEntries - 1); }
  static const TlbEntry* find(const Table& table, std::uint64_t ea) {
    const TlbEntry& entry = table[slot(ea)];
    return entry.tag == (ea & ~kTlbPageMask) ? &entry : nullptr;
  }

  Table read_;
  Table write_;
  Table execute_;
};

// A TLB per translation mode (the MSR bits that change how addresses
// translate). Linux changes MSR[PR] twice per system call and interrupt
// from user space; with one TLB each change emptied it and every page was
// looked up in the HPT again. Flushing marks all modes stale and empties
// only the active one; the others are emptied when next selected.
class ModalTlb {
 public:
  static constexpr std::size_t kModes = 4;

  ModalTlb() : current_(&modes_[0]) {}

  SoftTlb& select(std::uint64_t mode) {
    Mode* chosen = nullptr;
    for (Mode& candidate : modes_) {
      if (candidate.mode == mode) chosen = &candidate;
    }
    if (chosen == nullptr) {
      chosen = &modes_[next_victim_++ % kModes];
      chosen->mode = mode;
      chosen->epoch = epoch_ - 1;  // stale: emptied below
    }
    if (chosen->epoch != epoch_) {
      chosen->tlb.flush();
      chosen->epoch = epoch_;
    }
    current_ = chosen;
    return chosen->tlb;
  }

  // One segment's translations changed (slbie, an SLB slot overwritten):
  // every mode drops that range, the rest stays.
  void flush_range(std::uint64_t base, std::uint64_t size) {
    for (Mode& mode : modes_) mode.tlb.flush_range(base, size);
  }

  void flush_all() {
    ++epoch_;
    current_->tlb.flush();
    current_->epoch = epoch_;
  }

 private:
  struct Mode {
    std::uint64_t mode = ~std::uint64_t{0};
    std::uint64_t epoch = 0;
    SoftTlb tlb;
  };
  std::array<Mode, kModes> modes_;
  Mode* current_;
  std::uint64_t epoch_ = 0;
  unsigned next_victim_ = 0;
};

}  // namespace mosaic::interp
