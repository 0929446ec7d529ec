#include "net_options.hpp"

#include <arpa/inet.h>

#include <charconv>

#include <fmt/format.h>

namespace mosaic::virtio_net {

namespace {

bool parse_port(std::string_view text, std::uint16_t& port) {
  unsigned value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value == 0 || value > 65535) return false;
  port = static_cast<std::uint16_t>(value);
  return true;
}

bool parse_address(std::string_view text, const char* fallback, in_addr& address) {
  const std::string value = text.empty() ? fallback : std::string(text);
  return inet_pton(AF_INET, value.c_str(), &address) == 1;
}

}  // namespace

std::optional<PortForward> parse_forward(const std::string& text, std::string& error) {
  // PROTO:[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT
  PortForward forward;
  forward.text = text;
  const auto first = text.find(':');
  const auto dash = text.find('-');
  if (first == std::string::npos || dash == std::string::npos || dash < first) {
    error = "expected PROTO:[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT, as tcp:127.0.0.1:2222-:22";
    return std::nullopt;
  }
  const std::string proto = text.substr(0, first);
  if (proto != "tcp" && proto != "udp") {
    error = fmt::format("protocol '{}' is neither tcp nor udp", proto);
    return std::nullopt;
  }
  forward.udp = proto == "udp";
  const std::string host = text.substr(first + 1, dash - first - 1);
  const std::string guest = text.substr(dash + 1);
  const auto host_colon = host.rfind(':');
  const auto guest_colon = guest.rfind(':');
  if (host_colon == std::string::npos || guest_colon == std::string::npos) {
    error = "expected PROTO:[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT, as tcp:127.0.0.1:2222-:22";
    return std::nullopt;
  }
  if (!parse_address(std::string_view(host).substr(0, host_colon), "127.0.0.1", forward.host_address) ||
      !parse_address(std::string_view(guest).substr(0, guest_colon), "10.0.2.15", forward.guest_address)) {
    error = "an address is not an IPv4 address";
    return std::nullopt;
  }
  if (!parse_port(std::string_view(host).substr(host_colon + 1), forward.host_port) ||
      !parse_port(std::string_view(guest).substr(guest_colon + 1), forward.guest_port)) {
    error = "a port is not a number from 1 to 65535";
    return std::nullopt;
  }
  return forward;
}

NetOptions parse_net_options(const OptionNode& options) {
  options.expect_keys({"type", "mac", "forward"});
  NetOptions result;
  if (const OptionNode mac = options.child("mac"); mac.defined()) {
    const std::string text = mac.as_string();
    unsigned bytes[6];
    char tail = 0;
    if (std::sscanf(text.c_str(), "%2x:%2x:%2x:%2x:%2x:%2x%c", &bytes[0], &bytes[1], &bytes[2], &bytes[3], &bytes[4],
                    &bytes[5], &tail) != 6 || text.size() != 17) {
      mac.fail(fmt::format("'{}' is not a MAC address such as 52:54:00:12:34:56", text));
    }
    if (bytes[0] & 1) mac.fail(fmt::format("'{}' is a multicast address; a NIC needs a unicast one", text));
    for (int i = 0; i < 6; ++i) result.mac[i] = static_cast<std::uint8_t>(bytes[i]);
  }
  if (const OptionNode forwards = options.child("forward"); forwards.defined()) {
    for (const OptionNode& entry : forwards.elements()) {
      std::string error;
      auto forward = parse_forward(entry.as_string(), error);
      if (!forward) entry.fail(fmt::format("'{}': {}", entry.as_string(), error));
      result.forwards.push_back(std::move(*forward));
    }
  }
  return result;
}

}  // namespace mosaic::virtio_net
