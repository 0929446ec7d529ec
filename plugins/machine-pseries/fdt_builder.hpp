// Flattens DeviceTreeNodes (the machine's own and the devices') into an FDT
// blob with libfdt.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "mosaic/device_tree.hpp"

namespace mosaic::pseries {

class FdtBuilder {
 public:
  FdtBuilder();

  // Creates the node (and any missing parents) and sets its properties,
  // replacing properties of the same name. Throws SetupError.
  void add(const DeviceTreeNode& node);
  void reserve(std::uint64_t address, std::uint64_t size);
  // The packed blob.
  std::vector<std::byte> finish();

 private:
  int node_offset(const std::string& path);
  void check(int result, std::string_view what) const;

  std::vector<std::byte> buffer_;
};

// Property helpers the SDK's DeviceTreeProperty does not offer.
DeviceTreeProperty string_list_property(std::string name, std::initializer_list<std::string_view> strings);
DeviceTreeProperty u64_cells_property(std::string name, std::initializer_list<std::uint64_t> values);
DeviceTreeProperty bytes_property(std::string name, std::initializer_list<std::uint8_t> bytes);
DeviceTreeProperty cell_vector_property(std::string name, const std::vector<std::uint32_t>& cells);

}  // namespace mosaic::pseries
