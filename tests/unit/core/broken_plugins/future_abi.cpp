// A plugin built for the next SDK ABI. The descriptor is written by hand
// (MOSAIC_PLUGIN always stamps the current version) and exported under the
// name the loader looks for. The loader must stop at abi_version and never
// call the factory.
#include <cstdlib>

#include "mosaic/plugin.hpp"

namespace {

std::unique_ptr<mosaic::Device> create_future_device(const mosaic::DeviceSetup&) {
  std::abort();  // reaching this means the loader ignored the ABI version
}

}  // namespace

namespace future_abi_exports {
extern "C" const mosaic::PluginDescriptor mosaic_future_abi_descriptor{
    mosaic::kSdkAbiVersion + 1, mosaic::PluginKind::device, "future-abi", "9.0.0", "built for a newer SDK"};
}
BOOST_DLL_ALIAS(future_abi_exports::mosaic_future_abi_descriptor, mosaic_plugin_descriptor)
BOOST_DLL_ALIAS(create_future_device, mosaic_plugin_factory)
