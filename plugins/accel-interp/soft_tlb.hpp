// A direct-mapped software TLB from effective 4 KiB pages to host pointers,
// one table per access kind, so that a load or store that hits costs a
// compare and a memcpy. Entries map RAM only; MMIO always takes the slow
// path. Flushed whole on any change of translation state.
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

  void insert_read(std::uint64_t ea, std::byte* host_page, std::uint64_t real_page) {
    read_[slot(ea)] = {ea & ~kTlbPageMask, host_page, real_page};
  }
  void insert_write(std::uint64_t ea, std::byte* host_page, std::uint64_t real_page) {
    write_[slot(ea)] = {ea & ~kTlbPageMask, host_page, real_page};
  }
  void flush() {
    read_.fill(TlbEntry{});
    write_.fill(TlbEntry{});
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
};

}  // namespace mosaic::interp
