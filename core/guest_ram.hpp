// Guest RAM: one anonymous mapping, reserved lazily so that a large guest
// costs only the pages it touches.
#pragma once

#include <cstdint>

#include "mosaic/guest_memory.hpp"

namespace mosaic::core {

class GuestRam {
 public:
  // Throws SetupError when the host cannot map `bytes`.
  explicit GuestRam(std::uint64_t bytes);
  ~GuestRam();
  GuestRam(const GuestRam&) = delete;
  GuestRam& operator=(const GuestRam&) = delete;

  GuestMemory& memory() { return memory_; }

 private:
  GuestMemory memory_;
};

}  // namespace mosaic::core
