// virtio-net's options: the MAC address and the port forwards from the
// host into the guest, in QEMU's hostfwd syntax.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include <netinet/in.h>

#include "mosaic/options.hpp"

namespace mosaic::virtio_net {

struct PortForward {
  bool udp = false;
  in_addr host_address{};   // empty in the option: 127.0.0.1 (QEMU binds every address)
  std::uint16_t host_port = 0;
  in_addr guest_address{};  // empty in the option: the guest's DHCP address, 10.0.2.15
  std::uint16_t guest_port = 0;
  std::string text;         // as written, for messages
};

struct NetOptions {
  std::array<std::uint8_t, 6> mac{0x52, 0x54, 0x00, 0x12, 0x34, 0x56};  // QEMU's default
  std::vector<PortForward> forwards;
};

// Reads {type, mac, forward}; throws ConfigError naming the key at fault.
NetOptions parse_net_options(const OptionNode& options);

// "tcp:127.0.0.1:2222-:22" and "udp::5353-10.0.2.15:53"; nullopt with
// `error` set when the text is not one.
std::optional<PortForward> parse_forward(const std::string& text, std::string& error);

}  // namespace mosaic::virtio_net
