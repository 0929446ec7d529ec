// A direct-mapped software TLB from effective 4 KiB pages to host pointers,
// one table per access kind, so that a load or store that hits costs a
// compare and an add, and a fetch from another page no HPT search.
// Entries map RAM only; MMIO always takes the slow path. Flushed whole when
// translations change (tlbie, HPT writes), by segment when the SLB changes.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

namespace mosaic::interp {

inline constexpr unsigned kTlbPageShift = 12;
inline constexpr std::uint64_t kTlbPageMask = (std::uint64_t{1} << kTlbPageShift) - 1;

class SoftTlb {
 public:
  static constexpr std::size_t kEntries = 512;
  // Where compiled loads (run_compiler_x86_64.cpp) find the read table:
  // entries of the tag, then the offset to the host address.
  static constexpr std::size_t kReadEntryBytes = 16;
  static std::size_t read_table_offset() {
    static_assert(sizeof(Entry) == kReadEntryBytes && offsetof(Entry, offset) == 8);
    return offsetof(SoftTlb, read_);
  }
  // The same for stores: the tag, the offset to the host address, the
  // offset to the real address.
  static constexpr std::size_t kWriteEntryBytes = 32;
  static std::size_t write_table_offset() {
    static_assert(sizeof(WriteEntry) == kWriteEntryBytes && offsetof(WriteEntry, host_offset) == 8 &&
                  offsetof(WriteEntry, real_offset) == 16);
    return offsetof(SoftTlb, write_);
  }

  // Whether one entry maps all the `Size` bytes at `ea` (an access that
  // crosses the page misses), and if so their host address.
  template <unsigned Size>
  bool find_read(std::uint64_t ea, std::byte*& host) const {
    const Entry& entry = read_[slot(ea)];
    if (entry.tag != last_byte_page<Size>(ea)) return false;
    host = reinterpret_cast<std::byte*>(ea + entry.offset);
    return true;
  }
  // The same for a write, and the real address it reaches.
  template <unsigned Size>
  bool find_write(std::uint64_t ea, std::byte*& host, std::uint64_t& real) const {
    const WriteEntry& entry = write_[slot(ea)];
    if (entry.tag != last_byte_page<Size>(ea)) return false;
    host = reinterpret_cast<std::byte*>(ea + entry.host_offset);
    real = ea + entry.real_offset;
    return true;
  }
  // The real page an instruction fetch at `ea` reads (the run loop decodes it).
  std::optional<std::uint64_t> find_execute(std::uint64_t ea) const {
    const Entry& entry = execute_[slot(ea)];
    if (entry.tag != (ea & ~kTlbPageMask)) return std::nullopt;
    return (ea & ~kTlbPageMask) + entry.offset;
  }

  void insert_read(std::uint64_t ea, std::byte* host_page) {
    const std::uint64_t page = ea & ~kTlbPageMask;
    read_[slot(ea)] = {page, reinterpret_cast<std::uintptr_t>(host_page) - page};
  }
  void insert_write(std::uint64_t ea, std::byte* host_page, std::uint64_t real_page) {
    const std::uint64_t page = ea & ~kTlbPageMask;
    write_[slot(ea)] = {page, reinterpret_cast<std::uintptr_t>(host_page) - page, real_page - page};
  }
  void insert_execute(std::uint64_t ea, std::uint64_t real_page) {
    const std::uint64_t page = ea & ~kTlbPageMask;
    execute_[slot(ea)] = {page, real_page - page};
  }
  void flush() {
    read_.fill(Entry{});
    write_.fill(WriteEntry{});
    execute_.fill(Entry{});
  }
  // Drops the entries of effective pages in [base, base + size).
  void flush_range(std::uint64_t base, std::uint64_t size) {
    const auto drop_range = [base, size](auto& table) {
      for (auto& entry : table) {
        if (entry.tag - base < size) entry = {};
      }
    };
    drop_range(read_);
    drop_range(write_);
    drop_range(execute_);
  }

 private:
  // An entry maps the effective page `tag` (never page-aligned when empty)
  // by offsets added to an effective address in it: one add on a hit.
  // Sizes of powers of two make a slot's place a shift of the address.
  struct Entry {
    std::uint64_t tag = ~std::uint64_t{0};
    std::uint64_t offset = 0;  // to the host address (reads) or the real address (fetches)
  };
  struct alignas(32) WriteEntry {
    std::uint64_t tag = ~std::uint64_t{0};
    std::uint64_t host_offset = 0;
    std::uint64_t real_offset = 0;  // stores must find decoded code by real address
  };

  static std::size_t slot(std::uint64_t ea) { return (ea >> kTlbPageShift) & (kEntries - 1); }
  // The page of an access's last byte: if it is the entry's, so is the
  // first byte's, since the next page has another slot.
  template <unsigned Size>
  static std::uint64_t last_byte_page(std::uint64_t ea) {
    return (ea + (Size - 1)) & ~kTlbPageMask;
  }

  std::array<Entry, kEntries> read_;
  std::array<WriteEntry, kEntries> write_;
  std::array<Entry, kEntries> execute_;
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
