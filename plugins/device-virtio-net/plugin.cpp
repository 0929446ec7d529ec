// The virtio-net plugin, on libslirp's user-mode network:
//   devices: [{type: virtio-net, mac: "52:54:00:12:34:56", forward: ["tcp:127.0.0.1:2222-:22"]}]
#include <mosaic/plugin.hpp>
#include <mosaic/virtio/pci_transport.hpp>

#include "net_options.hpp"
#include "slirp_backend.hpp"
#include "virtio_net.hpp"

namespace {

using namespace mosaic::virtio_net;

class NetworkPlugin final : public mosaic::Device {
 public:
  explicit NetworkPlugin(NetOptions options) : options_(std::move(options)) {}
  ~NetworkPlugin() override { backend_.reset(); }  // its thread calls into the device: it stops first

  void realize(mosaic::DeviceContext& context) override {
    auto log = context.logger("virtio-net");
    auto device = std::make_unique<NetworkDevice>(options_.mac, [this](std::span<const std::uint8_t> frame) {
      if (backend_) backend_->send(frame);
    });
    NetworkDevice* raw = device.get();
    auto transport = std::make_shared<mosaic::virtio::PciTransport>(context.memory(), std::move(device), log);
    backend_ = std::make_unique<SlirpBackend>(options_, [raw](std::span<const std::uint8_t> frame) { raw->receive(frame); },
                                              log);
    context.add_pci_function(transport);
    transport_ = transport;
    log->info("user-mode network 10.0.2.0/24, MAC {:02x}", fmt::join(options_.mac, ":"));
  }

 private:
  NetOptions options_;
  std::shared_ptr<mosaic::virtio::PciTransport> transport_;  // outlives the backend
  std::unique_ptr<SlirpBackend> backend_;
};

std::unique_ptr<mosaic::Device> create_virtio_net(const mosaic::DeviceSetup& setup) {
  return std::make_unique<NetworkPlugin>(parse_net_options(setup.options));
}

}  // namespace

MOSAIC_PLUGIN(device, "virtio-net", "1.0.0", "virtio network card on PCI, with libslirp's user-mode network",
              create_virtio_net)
