// A device plugin whose factory fails with an ordinary exception: the core
// must report it as a plugin error naming the plugin, not crash.
#include <stdexcept>

#include "mosaic/plugin.hpp"

namespace {

std::unique_ptr<mosaic::Device> create_throwing_device(const mosaic::DeviceSetup&) {
  throw std::runtime_error("the test factory always throws");
}

}  // namespace

MOSAIC_PLUGIN(device, "throwing-factory", "0.0.1", "test plugin: its factory throws std::runtime_error",
              create_throwing_device)
