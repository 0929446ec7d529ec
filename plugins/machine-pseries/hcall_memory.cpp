// Hypercalls that touch guest storage for the guest: cache-inhibited
// loads and stores (hcall-debug), page zeroing and copying, and H_RANDOM.
#include <cstring>
#include <random>

#include "papr.hpp"
#include "pseries_machine.hpp"

namespace mosaic::pseries {

namespace {

namespace hcall {
constexpr std::uint64_t kPageInit = 0x2c;
constexpr std::uint64_t kLogicalCacheInhibitedLoad = 0x3c;
constexpr std::uint64_t kLogicalCacheInhibitedStore = 0x40;
constexpr std::uint64_t kRandom = 0x300;
}  // namespace hcall

// H_PAGE_INIT flags (PAPR 14.5.4.3.1).
constexpr std::uint64_t kIcacheInvalidate = papr::flag_bit(40);
constexpr std::uint64_t kIcacheSynchronize = papr::flag_bit(41);
constexpr std::uint64_t kZeroPage = papr::flag_bit(48);
constexpr std::uint64_t kCopyPage = papr::flag_bit(49);
constexpr std::uint64_t kPageSize = 4096;

bool valid_access_size(std::uint64_t size) { return size == 1 || size == 2 || size == 4 || size == 8; }

// Between the hypercall's big-endian value and a region's bus order.
std::uint64_t swap_bytes(std::uint64_t value, std::uint64_t size) {
  std::uint64_t swapped = 0;
  for (std::uint64_t i = 0; i < size; ++i) swapped |= ((value >> (8 * i)) & 0xff) << (8 * (size - 1 - i));
  return swapped;
}

}  // namespace

void PseriesMachine::register_memory_hypercalls() {
  // PAPR's cache-inhibited accesses are big-endian; regions take bus order.
  hypercalls_.add(hcall::kLogicalCacheInhibitedLoad, [this](HypercallCall& call) {
    const std::uint64_t size = call.args[0];
    const std::uint64_t address = call.args[1];
    if (!valid_access_size(size) || address % size != 0) return papr::kParameter;
    for (const MmioRegion& region : mmio_regions_) {
      if (address >= region.base && address - region.base < region.size) {
        call.outputs[0] = swap_bytes(region.read(address - region.base, static_cast<unsigned>(size)), size);
        call.output_count = 1;
        return papr::kSuccess;
      }
    }
    std::array<std::byte, 8> bytes{};
    if (!memory().read(address, std::span(bytes.data(), size))) return papr::kParameter;
    std::uint64_t value = 0;
    for (std::uint64_t i = 0; i < size; ++i) value = (value << 8) | std::to_integer<std::uint8_t>(bytes[i]);
    call.outputs[0] = value;
    call.output_count = 1;
    return papr::kSuccess;
  });
  hypercalls_.add(hcall::kLogicalCacheInhibitedStore, [this](HypercallCall& call) {
    const std::uint64_t size = call.args[0];
    const std::uint64_t address = call.args[1];
    const std::uint64_t value = call.args[2];
    if (!valid_access_size(size) || address % size != 0) return papr::kParameter;
    for (const MmioRegion& region : mmio_regions_) {
      if (address >= region.base && address - region.base < region.size) {
        region.write(address - region.base, static_cast<unsigned>(size), swap_bytes(value, size));
        return papr::kSuccess;
      }
    }
    std::array<std::byte, 8> bytes{};
    for (std::uint64_t i = 0; i < size; ++i) bytes[i] = static_cast<std::byte>(value >> (8 * (size - 1 - i)));
    return memory().write(address, std::span(bytes.data(), size)) ? papr::kSuccess : papr::kParameter;
  });

  hypercalls_.add(hcall::kPageInit, [this](HypercallCall& call) {
    const std::uint64_t flags = call.args[0];
    const std::uint64_t destination = call.args[1];
    const std::uint64_t source = call.args[2];
    if (flags & ~(kIcacheInvalidate | kIcacheSynchronize | kZeroPage | kCopyPage)) return papr::kParameter;
    if (destination % kPageSize != 0 || !memory().contains(destination, kPageSize)) return papr::kParameter;
    std::byte* target = memory().host_pointer(destination, kPageSize);
    if (flags & kCopyPage) {
      if (source % kPageSize != 0 || !memory().contains(source, kPageSize)) return papr::kParameter;
      std::memmove(target, memory().host_pointer(source, kPageSize), kPageSize);
    } else if (flags & kZeroPage) {
      std::memset(target, 0, kPageSize);
    }
    if (flags & (kCopyPage | kZeroPage)) memory().notify_written(destination, kPageSize);
    return papr::kSuccess;
  });

  hypercalls_.add(hcall::kRandom, [](HypercallCall& call) {
    thread_local std::random_device device;
    call.outputs[0] = (std::uint64_t{device()} << 32) | device();
    call.output_count = 1;
    return papr::kSuccess;
  });
}

}  // namespace mosaic::pseries
