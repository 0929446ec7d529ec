#include "rtas.hpp"

#include <fmt/format.h>

#include "papr.hpp"

namespace mosaic::pseries {

namespace {

constexpr std::uint32_t kFirstToken = 0x2000;
// Linux's rtas_args holds at most 16 argument and return words together.
constexpr std::uint32_t kMaxWords = 16;

std::uint32_t load_be32(const std::byte* p) {
  return std::uint32_t{std::to_integer<std::uint8_t>(p[0])} << 24 |
         std::uint32_t{std::to_integer<std::uint8_t>(p[1])} << 16 |
         std::uint32_t{std::to_integer<std::uint8_t>(p[2])} << 8 | std::uint32_t{std::to_integer<std::uint8_t>(p[3])};
}

void store_be32(std::byte* p, std::uint32_t value) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<std::byte>(value >> (24 - 8 * i));
}

}  // namespace

void Rtas::add(const std::string& name, RtasHandler handler) {
  const auto token = kFirstToken + static_cast<std::uint32_t>(tokens_.size());
  tokens_.emplace(name, token);
  handlers_.emplace(token, std::make_pair(name, std::move(handler)));
}

std::vector<std::byte> Rtas::blob() {
  // mr r4,r3; li r3,0; ori r3,r3,0xf000; sc 1; blr
  constexpr std::uint32_t kInstructions[] = {0x7c641b78, 0x38600000, 0x6063f000, 0x44000022, 0x4e800020};
  std::vector<std::byte> bytes(sizeof(kInstructions));
  for (std::size_t i = 0; i < std::size(kInstructions); ++i) store_be32(&bytes[4 * i], kInstructions[i]);
  return bytes;
}

DeviceTreeNode Rtas::device_tree_node(std::uint64_t base, std::vector<DeviceTreeProperty> extra) const {
  DeviceTreeNode node{"/rtas",
                      {DeviceTreeProperty::string("name", "rtas"),
                       DeviceTreeProperty::cells("linux,rtas-base", {static_cast<std::uint32_t>(base)}),
                       DeviceTreeProperty::cells("linux,rtas-entry", {static_cast<std::uint32_t>(base)}),
                       DeviceTreeProperty::cells("rtas-size", {static_cast<std::uint32_t>(kReservedSize)})}};
  for (const auto& [name, token] : tokens_) node.properties.push_back(DeviceTreeProperty::cells(name, {token}));
  for (auto& property : extra) node.properties.push_back(std::move(property));
  return node;
}

// A guest's malformed calls are its own fault and cost it only an error
// status; the log names the first few, so that a hostile guest cannot flood it.
void Rtas::report_malformed(std::uint32_t vcpu, const std::string& what) {
  constexpr unsigned kReportLimit = 16;
  const unsigned count = malformed_calls_.fetch_add(1, std::memory_order_relaxed);
  if (count < kReportLimit) log_->warn("vCPU {}: {}", vcpu, what);
  if (count == kReportLimit) log_->warn("further malformed RTAS calls are not logged");
}

std::int64_t Rtas::hypercall(HypercallCall& call) {
  const std::uint64_t buffer = call.args[0];
  const std::byte* header = memory_.host_pointer(buffer, 12);
  if (header == nullptr) return papr::kParameter;
  const std::uint32_t token = load_be32(header);
  const std::uint32_t arg_count = load_be32(header + 4);
  const std::uint32_t ret_count = load_be32(header + 8);
  if (arg_count > kMaxWords || ret_count > kMaxWords || arg_count + ret_count > kMaxWords || ret_count == 0) {
    report_malformed(call.vcpu, fmt::format("RTAS call {:#x} with {} arguments and {} returns refused", token,
                                            arg_count, ret_count));
    return papr::kParameter;
  }
  std::byte* words = memory_.host_pointer(buffer + 12, 4 * std::uint64_t{arg_count + ret_count});
  if (words == nullptr) return papr::kParameter;

  std::array<std::uint32_t, kMaxWords> args{};
  std::array<std::uint32_t, kMaxWords> rets{};
  for (std::uint32_t i = 0; i < arg_count; ++i) args[i] = load_be32(words + 4 * i);
  RtasCall rtas_call{call.vcpu, std::span(args.data(), arg_count), std::span(rets.data(), ret_count)};
  const auto handler = handlers_.find(token);
  if (handler == handlers_.end()) {
    report_malformed(call.vcpu, fmt::format("unknown RTAS token {:#x}", token));
    rets[0] = static_cast<std::uint32_t>(rtas_status::kHardwareError);
  } else {
    log_->trace("vCPU {}: RTAS {}", call.vcpu, handler->second.first);
    handler->second.second(rtas_call);
  }
  for (std::uint32_t i = 0; i < ret_count; ++i) store_be32(words + 4 * (arg_count + i), rets[i]);
  return papr::kSuccess;
}

}  // namespace mosaic::pseries
