// The PHB's default DMA window: a translation control entry (TCE) table
// that maps I/O bus addresses to guest real addresses, programmed by the
// guest with PAPR's H_PUT_TCE, H_GET_TCE, H_STUFF_TCE and
// H_PUT_TCE_INDIRECT (LoPAPR 14.5.4.2). Linux's pseries code requires a
// DMA window on every PHB; the virtio devices do not use it (they do not
// negotiate VIRTIO_F_ACCESS_PLATFORM, so the guest gives them guest real
// addresses), but a driver that uses the DMA API, and a future passthrough
// device, go through it.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <vector>

#include "mosaic/device.hpp"
#include "mosaic/guest_memory.hpp"
#include "mosaic/state.hpp"

namespace mosaic::pseries {

class TceTable {
 public:
  static constexpr std::uint32_t kLiobn = 0x80000000;  // the logical I/O bus number QEMU's first PHB uses
  static constexpr std::uint64_t kWindowBus = 0;
  static constexpr std::uint64_t kWindowSize = std::uint64_t{1} << 30;
  static constexpr unsigned kPageShift = 12;
  static constexpr std::uint64_t kRead = 1, kWrite = 2;  // TCE permission bits

  explicit TceTable(GuestMemory& memory) : memory_(memory), entries_(kWindowSize >> kPageShift) {}

  template <typename Registrar>
  void register_with(Registrar&& registrar) {
    registrar(0x20, [this](HypercallCall& call) { return put(call); });
    registrar(0x1c, [this](HypercallCall& call) { return get(call); });
    registrar(0x138, [this](HypercallCall& call) { return stuff(call); });
    registrar(0x13c, [this](HypercallCall& call) { return put_indirect(call); });
  }

  // The guest real address a bus address maps to for an access of `write`,
  // or nullopt when no TCE allows it.
  std::optional<std::uint64_t> translate(std::uint64_t bus_address, bool write) const;

  void reset();

  // Snapshots: the mapped entries. restore() throws StateError for an
  // entry outside the window or one that maps no RAM.
  void save(StateWriter& out) const;
  void restore(StateReader& in);

 private:
  std::int64_t put(HypercallCall& call);
  std::int64_t get(HypercallCall& call);
  std::int64_t stuff(HypercallCall& call);
  std::int64_t put_indirect(HypercallCall& call);
  // The entry index of (liobn, ioba), or nullopt for a bad LIOBN or an
  // I/O bus address outside the window.
  std::optional<std::size_t> index_of(std::uint64_t liobn, std::uint64_t ioba) const;
  // A TCE's real page must be RAM (or zero, which unmaps).
  bool valid_tce(std::uint64_t tce) const;

  GuestMemory& memory_;
  mutable std::mutex mutex_;
  std::vector<std::uint64_t> entries_;
};

}  // namespace mosaic::pseries
