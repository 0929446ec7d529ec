// What a virtio device author writes: the device type, the feature bits,
// the configuration space and what a request does. The transport
// (mosaic/virtio/pci_transport.hpp) does feature negotiation, the status
// register, queue setup, the rings and interrupts.
//
// Threads: queue_notified() runs on the vCPU thread whose store kicked the
// queue (or on a control thread, when the transport resumes after a
// snapshot and kicks every queue), and read_config()/write_config() on the
// vCPU thread that made the access; several may run at once. A device that does slow work (a disk)
// hands chains to a thread of its own and completes them from there:
// Queues::pop() and Queues::complete() may be called from any thread.
// activate() and reset() are called with no other callback of this device
// running; reset() must not return while a thread of the device still
// uses a chain.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "mosaic/state.hpp"
#include "mosaic/virtio/queue.hpp"

namespace mosaic::virtio {

// The device's access to its queues, given to activate().
class Queues {
 public:
  virtual ~Queues() = default;
  // The next request on `queue`, or nullopt when there is none (or the
  // driver broke the ring, which the transport reports as
  // DEVICE_NEEDS_RESET).
  virtual std::optional<Chain> pop(unsigned queue) = 0;
  // Hands the chain back with `written` bytes written into its writable
  // buffers, and interrupts the driver when it asked for that.
  virtual void complete(unsigned queue, const Chain& chain, std::uint32_t written) = 0;
  // The device found the driver's requests malformed: DEVICE_NEEDS_RESET.
  virtual void needs_reset(std::string_view why) = 0;
};

class Device {
 public:
  virtual ~Device() = default;

  virtual std::uint16_t device_type() const = 0;
  // The device-specific feature bits (0-23 and 50-127 in the spec); the
  // transport adds VERSION_1, EVENT_IDX and INDIRECT_DESC.
  virtual std::uint64_t device_features() const = 0;
  // How many queues, and each one's maximum size (a power of two).
  virtual unsigned queue_count() const = 0;
  virtual std::uint16_t queue_max_size(unsigned /*queue*/) const { return 256; }

  // The device-specific configuration space (5.x.4), little-endian.
  virtual std::uint32_t config_size() const = 0;
  virtual void read_config(std::uint32_t offset, std::span<std::byte> out) = 0;
  virtual void write_config(std::uint32_t /*offset*/, std::span<const std::byte> /*in*/) {}

  // The driver set DRIVER_OK with `features` negotiated.
  virtual void activate(std::uint64_t features, Queues& queues) = 0;
  // The driver kicked `queue` (after activate()).
  virtual void queue_notified(unsigned queue) = 0;
  // Device reset (status 0) or machine reset: back to the state before
  // activate(); in-flight requests are finished or dropped first.
  virtual void reset() = 0;

  // Snapshots: state of the device's own beyond its queues and what its
  // config gives it (none for a disk or an entropy source). save_state is
  // called with no request in flight; restore_state before activate().
  virtual void save_state(StateWriter& /*out*/) const {}
  virtual void restore_state(StateReader& /*in*/) {}
};

}  // namespace mosaic::virtio
