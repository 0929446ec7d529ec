// Device-tree nodes that devices contribute, in a form independent of the
// machine's FDT builder. Property values are stored as the FDT wants them
// (big-endian cells, NUL-terminated strings).
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace mosaic {

struct DeviceTreeProperty {
  std::string name;
  std::vector<std::byte> value;

  static DeviceTreeProperty empty(std::string name) { return {std::move(name), {}}; }

  static DeviceTreeProperty string(std::string name, std::string_view text) {
    DeviceTreeProperty property{std::move(name), {}};
    for (char c : text) property.value.push_back(static_cast<std::byte>(c));
    property.value.push_back(std::byte{0});
    return property;
  }

  static DeviceTreeProperty cells(std::string name, std::initializer_list<std::uint32_t> values) {
    DeviceTreeProperty property{std::move(name), {}};
    for (std::uint32_t cell : values) {
      for (int shift = 24; shift >= 0; shift -= 8) property.value.push_back(static_cast<std::byte>(cell >> shift));
    }
    return property;
  }
};

struct DeviceTreeNode {
  std::string path;  // absolute, e.g. "/vdevice/example@71000000"
  std::vector<DeviceTreeProperty> properties;
};

}  // namespace mosaic
