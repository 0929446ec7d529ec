// The virtio-rng plugin: `devices: [{type: virtio-rng}]`.
#include <mosaic/plugin.hpp>
#include <mosaic/virtio/pci_transport.hpp>

#include "virtio_rng.hpp"

namespace {

class EntropyPlugin final : public mosaic::Device {
 public:
  void realize(mosaic::DeviceContext& context) override {
    context.add_pci_function(std::make_shared<mosaic::virtio::PciTransport>(
        context.memory(), std::make_unique<mosaic::virtio_rng::EntropyDevice>(), context.logger("virtio-rng")));
  }
};

std::unique_ptr<mosaic::Device> create_virtio_rng(const mosaic::DeviceSetup& setup) {
  setup.options.expect_keys({"type"});
  return std::make_unique<EntropyPlugin>();
}

}  // namespace

MOSAIC_PLUGIN(device, "virtio-rng", "1.0.0", "virtio entropy source on PCI, from the host's getrandom()",
              create_virtio_rng)
