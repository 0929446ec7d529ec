// The PAPR virtual terminal (vty) on the host console: H_PUT_TERM_CHAR and
// H_GET_TERM_CHAR, with a level interrupt while input is pending.
#pragma once

#include <cstdint>
#include <functional>

#include "mosaic/device.hpp"
#include "mosaic/host.hpp"

namespace mosaic::pseries {

class Vty {
 public:
  // `unit_address` is the vty's reg in /vdevice; `set_interrupt` drives its
  // interrupt line. Without one the vty has no interrupt and the guest
  // polls: input then reaches it only at its H_GET_TERM_CHAR calls, never
  // at a moment the host's I/O decides (deterministic mode).
  Vty(Console& console, std::uint32_t unit_address, std::function<void(bool)> set_interrupt);
  // Takes its input handler back: the console outlives this plugin's code.
  ~Vty();
  Vty(const Vty&) = delete;
  Vty& operator=(const Vty&) = delete;

  std::int64_t put_chars(HypercallCall& call);
  std::int64_t get_chars(HypercallCall& call);
  DeviceTreeNode device_tree_node(std::uint32_t interrupt) const;

  std::uint32_t unit_address() const { return unit_address_; }

 private:
  bool addresses_this(std::uint64_t terminal) const;
  void set_interrupt(bool asserted);

  Console& console_;
  std::uint32_t unit_address_;
  std::function<void(bool)> set_interrupt_;
};

}  // namespace mosaic::pseries
