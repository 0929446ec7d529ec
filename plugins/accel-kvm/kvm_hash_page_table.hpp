// The guest's HPT as KVM-HV keeps it in the kernel, read and written through
// the stream of KVM_PPC_GET_HTAB_FD (its rules are in htab_stream.hpp).
// Only built for ppc64.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>

#include <spdlog/logger.h>

#include "mosaic/ppc.hpp"

namespace mosaic::kvm {

class KvmHashPageTable final : public ppc::HashPageTable {
 public:
  KvmHashPageTable(int vm_fd, std::shared_ptr<spdlog::logger> log) : vm_fd_(vm_fd), log_(std::move(log)) {}

  ppc::HptStatus allocate(unsigned order) override;
  unsigned order() const override { return order_.load(); }
  ppc::HptStatus read_hptes(std::uint64_t ptex, std::span<ppc::Hpte> out) override;
  ppc::HptStatus write_hpte(std::uint64_t ptex, const ppc::Hpte& entry) override;

 private:
  const int vm_fd_;
  std::shared_ptr<spdlog::logger> log_;
  std::atomic<unsigned> order_{0};
  // One stream at a time: the kernel's write path refuses to run beside
  // vCPUs, and serialising keeps the error log readable.
  std::mutex stream_mutex_;
};

}  // namespace mosaic::kvm
