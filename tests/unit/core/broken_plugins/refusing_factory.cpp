// A device plugin whose factory refuses to run on this host. The exception
// object is made by this library's code, so the core must be done with it
// before the library is unloaded. The plugin links nothing that would pin it
// in memory after dlclose, so a use after unloading crashes rather than
// passing by luck.
#include "mosaic/plugin.hpp"

namespace {

std::unique_ptr<mosaic::Device> create_refusing_device(const mosaic::DeviceSetup&) {
  throw mosaic::PluginRefused("the test device refuses every host");
}

}  // namespace

MOSAIC_PLUGIN(device, "refusing-factory", "0.0.1", "test plugin: its factory throws PluginRefused",
              create_refusing_device)
