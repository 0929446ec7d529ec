// A well-formed device plugin that does nothing. The tests use it where a
// good plugin is needed: as the wrong kind (named as an accelerator), and
// copied into several directories to check the search order.
#include "mosaic/plugin.hpp"

namespace {

class PlainDevice final : public mosaic::Device {
 public:
  void realize(mosaic::DeviceContext&) override {}
};

std::unique_ptr<mosaic::Device> create_plain_device(const mosaic::DeviceSetup& setup) {
  setup.options.expect_keys({"type"});
  return std::make_unique<PlainDevice>();
}

}  // namespace

MOSAIC_PLUGIN(device, "plain-device", "1.2.3", "test plugin: a device that does nothing", create_plain_device)
