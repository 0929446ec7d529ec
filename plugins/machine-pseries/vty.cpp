#include "vty.hpp"

#include <array>

#include <fmt/format.h>

#include "papr.hpp"

namespace mosaic::pseries {

namespace {
// Each hypercall moves up to 16 bytes, packed into two registers with the
// first byte in the most significant position (PAPR 14.5.4.5).
constexpr std::size_t kMaxBytes = 16;
}  // namespace

Vty::Vty(Console& console, std::uint32_t unit_address, std::function<void(bool)> set_interrupt)
    : console_(console), unit_address_(unit_address), set_interrupt_(std::move(set_interrupt)) {
  if (set_interrupt_) console_.on_input([this] { set_interrupt_(true); });
}

Vty::~Vty() {
  if (set_interrupt_) console_.on_input(nullptr);
}

// Terminal number 0 is the default console, as QEMU and PowerVM accept it
// on the early-debug path (before the device tree gives the vty's reg).
bool Vty::addresses_this(std::uint64_t terminal) const { return terminal == unit_address_ || terminal == 0; }

void Vty::set_interrupt(bool asserted) {
  if (set_interrupt_) set_interrupt_(asserted);
}

std::int64_t Vty::put_chars(HypercallCall& call) {
  const std::uint64_t terminal = call.args[0];
  const std::uint64_t length = call.args[1];
  if (!addresses_this(terminal) || length > kMaxBytes) return papr::kParameter;
  std::array<std::byte, kMaxBytes> bytes{};
  for (std::size_t i = 0; i < length; ++i) {
    const std::uint64_t word = call.args[2 + i / 8];
    bytes[i] = static_cast<std::byte>(word >> (56 - 8 * (i % 8)));
  }
  console_.write(std::span<const std::byte>(bytes.data(), length));
  return papr::kSuccess;
}

std::int64_t Vty::get_chars(HypercallCall& call) {
  if (!addresses_this(call.args[0])) return papr::kParameter;
  // Lowered before reading, so that input arriving meanwhile raises it
  // again; raised again when the read may have left bytes behind.
  set_interrupt(false);
  std::array<std::byte, kMaxBytes> bytes{};
  const std::size_t length = console_.read(bytes);
  if (length == kMaxBytes) set_interrupt(true);
  std::array<std::uint64_t, 2> words{};
  for (std::size_t i = 0; i < length; ++i) {
    words[i / 8] |= std::uint64_t{std::to_integer<std::uint8_t>(bytes[i])} << (56 - 8 * (i % 8));
  }
  call.outputs[0] = length;
  call.outputs[1] = words[0];
  call.outputs[2] = words[1];
  call.output_count = 3;
  return papr::kSuccess;
}

DeviceTreeNode Vty::device_tree_node(std::uint32_t interrupt) const {
  DeviceTreeNode node{fmt::format("/vdevice/vty@{:x}", unit_address_),
                      {DeviceTreeProperty::string("name", "vty"), DeviceTreeProperty::string("device_type", "serial"),
                       DeviceTreeProperty::string("compatible", "hvterm1"),
                       DeviceTreeProperty::cells("reg", {unit_address_})}};
  // Without "interrupts", Linux's hvc_vio polls H_GET_TERM_CHAR.
  if (set_interrupt_) node.properties.push_back(DeviceTreeProperty::cells("interrupts", {interrupt, 0}));
  return node;
}

}  // namespace mosaic::pseries
