#include "guest_ram.hpp"

#include <cerrno>
#include <cstring>

#include <fmt/format.h>
#include <sys/mman.h>

#include "mosaic/errors.hpp"

namespace mosaic::core {

namespace {
std::byte* map_ram(std::uint64_t bytes) {
  void* base = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (base == MAP_FAILED) {
    throw SetupError(fmt::format("cannot map {} bytes of guest memory: {}", bytes, std::strerror(errno)));
  }
  return static_cast<std::byte*>(base);
}
}  // namespace

GuestRam::GuestRam(std::uint64_t bytes) : memory_(map_ram(bytes), bytes) {}

GuestRam::~GuestRam() { munmap(memory_.host_base(), memory_.size()); }

}  // namespace mosaic::core
