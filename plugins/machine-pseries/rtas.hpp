// RTAS without firmware: a five-instruction blob in guest memory turns each
// RTAS call into the KVMPPC_H_RTAS hypercall, and this class runs it.
// Tokens are published in the device tree's /rtas node.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include <spdlog/logger.h>

#include "mosaic/device.hpp"
#include "mosaic/guest_memory.hpp"

namespace mosaic::pseries {

// RTAS status values (LoPAPR 7.2.8).
namespace rtas_status {
inline constexpr std::int32_t kSuccess = 0;
inline constexpr std::int32_t kHardwareError = -1;
inline constexpr std::int32_t kParameterError = -3;
}  // namespace rtas_status

struct RtasCall {
  std::uint32_t vcpu = 0;
  std::span<const std::uint32_t> args;
  std::span<std::uint32_t> rets;  // rets[0] is the status; never empty
};

using RtasHandler = std::function<void(RtasCall& call)>;

class Rtas {
 public:
  // The hypercall the blob makes (QEMU and KVM use the same number).
  static constexpr std::uint64_t kHypercall = 0xf000;

  Rtas(GuestMemory& memory, std::shared_ptr<spdlog::logger> log) : memory_(memory), log_(std::move(log)) {}

  // Registers an RTAS function under its device-tree name.
  void add(const std::string& name, RtasHandler handler);

  // The blob (big-endian instructions; RTAS is always entered big-endian).
  static std::vector<std::byte> blob();
  static constexpr std::uint64_t kReservedSize = 0x10000;
  DeviceTreeNode device_tree_node(std::uint64_t base, std::vector<DeviceTreeProperty> extra) const;

  // KVMPPC_H_RTAS: r4 holds the real address of the argument buffer.
  std::int64_t hypercall(HypercallCall& call);

 private:
  void report_malformed(std::uint32_t vcpu, const std::string& what);

  GuestMemory& memory_;
  std::shared_ptr<spdlog::logger> log_;
  std::atomic<unsigned> malformed_calls_{0};
  std::map<std::string, std::uint32_t> tokens_;
  std::map<std::uint32_t, std::pair<std::string, RtasHandler>> handlers_;
};

}  // namespace mosaic::pseries
