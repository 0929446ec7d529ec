// virtio-net's options: QEMU's hostfwd syntax for port forwards, MAC
// addresses, and config errors that name the key.
#include "net_options.hpp"

#include <arpa/inet.h>

#include <gtest/gtest.h>

namespace mosaic::virtio_net {
namespace {

std::string dotted(in_addr address) {
  char text[INET_ADDRSTRLEN];
  inet_ntop(AF_INET, &address, text, sizeof text);
  return text;
}

TEST(PortForward, EmptyAddressesMeanTheHostsLoopbackAndTheGuestsLease) {
  std::string error;
  const auto forward = parse_forward("tcp::2222-:22", error);
  ASSERT_TRUE(forward) << error;
  EXPECT_FALSE(forward->udp);
  EXPECT_EQ(dotted(forward->host_address), "127.0.0.1");
  EXPECT_EQ(forward->host_port, 2222);
  EXPECT_EQ(dotted(forward->guest_address), "10.0.2.15");
  EXPECT_EQ(forward->guest_port, 22);
}

TEST(PortForward, ExplicitAddressesAndUdp) {
  std::string error;
  const auto forward = parse_forward("udp:0.0.0.0:5353-10.0.2.16:53", error);
  ASSERT_TRUE(forward) << error;
  EXPECT_TRUE(forward->udp);
  EXPECT_EQ(dotted(forward->host_address), "0.0.0.0");
  EXPECT_EQ(dotted(forward->guest_address), "10.0.2.16");
  EXPECT_EQ(forward->guest_port, 53);
}

TEST(PortForward, MalformedForwardsSayWhatIsWrong) {
  for (const char* text : {"tcp:2222:22", "sctp::1-:2", "tcp::0-:22", "tcp::70000-:22", "tcp::22x-:22",
                           "tcp:localhost:22-:22", "tcp::22-:", ""}) {
    std::string error;
    EXPECT_FALSE(parse_forward(text, error)) << text;
    EXPECT_FALSE(error.empty()) << text;
  }
}

std::string config_error(const std::string& yaml) {
  auto source = std::make_shared<ConfigSource>(ConfigSource{"vm.yaml", {}});
  try {
    parse_net_options(OptionNode(source, YAML::Load(yaml), "devices[0]"));
  } catch (const ConfigError& error) {
    return error.what();
  }
  return "";
}

TEST(NetOptions, TheMacDefaultsToQemusAndBadOnesAreConfigErrors) {
  auto source = std::make_shared<ConfigSource>(ConfigSource{"vm.yaml", {}});
  const auto options = parse_net_options(OptionNode(source, YAML::Load("{type: virtio-net}"), "devices[0]"));
  EXPECT_EQ(options.mac, (std::array<std::uint8_t, 6>{0x52, 0x54, 0x00, 0x12, 0x34, 0x56}));
  EXPECT_NE(config_error("{type: virtio-net, mac: '52:54:00:12:34'}").find("devices[0].mac"), std::string::npos);
  EXPECT_NE(config_error("{type: virtio-net, mac: '01:00:5e:00:00:01'}").find("multicast"), std::string::npos);
  const std::string forward = config_error("{type: virtio-net, forward: ['tcp::22-:22', 'tcp:x:1-:2']}");
  EXPECT_NE(forward.find("devices[0].forward[1]"), std::string::npos) << forward;
  EXPECT_NE(config_error("{type: virtio-net, tap: tap0}").find("unknown key"), std::string::npos);
}

}  // namespace
}  // namespace mosaic::virtio_net
