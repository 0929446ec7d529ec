// Guest RAM between two inaccessible pages: a host access that strays past
// either end faults at once, even where ASan's red zones would miss it (a
// large offset from a valid pointer).
#pragma once

#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <memory>

#include "mosaic/guest_memory.hpp"

namespace mosaic::fuzz {

class GuardedRam {
 public:
  explicit GuardedRam(std::uint64_t bytes) : bytes_(bytes), page_(static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE))) {
    void* mapping = mmap(nullptr, bytes_ + 2 * page_, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (mapping == MAP_FAILED) std::abort();
    mapping_ = static_cast<std::byte*>(mapping);
    if (mprotect(mapping_ + page_, bytes_, PROT_READ | PROT_WRITE) != 0) std::abort();
    memory_ = std::make_unique<GuestMemory>(mapping_ + page_, bytes_);
  }
  ~GuardedRam() { munmap(mapping_, bytes_ + 2 * page_); }
  GuardedRam(const GuardedRam&) = delete;
  GuardedRam& operator=(const GuardedRam&) = delete;

  GuestMemory& memory() { return *memory_; }
  // Back to all zeros, returning the pages to the kernel.
  void clear() {
    if (madvise(mapping_ + page_, bytes_, MADV_DONTNEED) != 0) std::abort();
  }

 private:
  std::uint64_t bytes_;
  std::uint64_t page_;
  std::byte* mapping_ = nullptr;
  std::unique_ptr<GuestMemory> memory_;
};

}  // namespace mosaic::fuzz
