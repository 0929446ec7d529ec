#include "fdt_builder.hpp"

#include <fmt/format.h>
#include <libfdt.h>

#include "mosaic/errors.hpp"

namespace mosaic::pseries {

namespace {
// Room for the tree while it is built; finish() packs it.
constexpr std::size_t kWorkingSize = 1 << 20;

// The characters the Devicetree Specification (v0.4, 2.2.1 and 2.2.4)
// allows in node names (with the unit address after '@') and in property
// names. Linux parses nothing else; and as libfdt takes C strings, a NUL
// would even make a node or property other than the one asked for (found
// by fuzzing: "/a\0b/c" became /a/c).
bool valid_name(std::string_view name, std::string_view punctuation) {
  if (name.empty()) return false;
  for (const char c : name) {
    const bool alphanumeric = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!alphanumeric && punctuation.find(c) == std::string_view::npos) return false;
  }
  return true;
}
constexpr std::string_view kNodeNamePunctuation = ",._+-@";
constexpr std::string_view kPropertyNamePunctuation = ",._+?#-";
// A name as an error message can show it: other bytes as \xNN.
std::string printable(std::string_view text) {
  std::string shown;
  for (const char c : text) {
    if (c >= 0x20 && c < 0x7f) shown += c;
    else shown += fmt::format("\\x{:02x}", static_cast<unsigned char>(c));
  }
  return shown;
}
}  // namespace

FdtBuilder::FdtBuilder() : buffer_(kWorkingSize) { check(fdt_create_empty_tree(buffer_.data(), kWorkingSize), "create"); }

void FdtBuilder::check(int result, std::string_view what) const {
  if (result < 0) throw SetupError(fmt::format("device tree: {}: {}", what, fdt_strerror(result)));
}

int FdtBuilder::node_offset(const std::string& path) {
  if (path.empty() || path[0] != '/') throw SetupError(fmt::format("device tree: '{}' is not an absolute path", path));
  int offset = fdt_path_offset(buffer_.data(), "/");
  check(offset, "root");
  std::size_t start = 1;
  while (start < path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    const std::string name = path.substr(start, end - start);
    if (name.empty()) throw SetupError(fmt::format("device tree: '{}' has an empty node name", path));
    if (!valid_name(name, kNodeNamePunctuation)) {
      throw SetupError(fmt::format("device tree: '{}': a node name holds letters, digits and '{}' only",
                                   printable(path), kNodeNamePunctuation));
    }
    int child = fdt_subnode_offset(buffer_.data(), offset, name.c_str());
    if (child == -FDT_ERR_NOTFOUND) child = fdt_add_subnode(buffer_.data(), offset, name.c_str());
    check(child, fmt::format("node '{}'", path));
    offset = child;
    start = end + 1;
  }
  return offset;
}

void FdtBuilder::add(const DeviceTreeNode& node) {
  const int offset = node_offset(node.path);
  for (const DeviceTreeProperty& property : node.properties) {
    if (!valid_name(property.name, kPropertyNamePunctuation)) {
      throw SetupError(fmt::format("device tree: '{}' of '{}': a property name holds letters, digits and '{}' only",
                                   printable(property.name), printable(node.path), kPropertyNamePunctuation));
    }
    check(fdt_setprop(buffer_.data(), offset, property.name.c_str(), property.value.data(),
                      static_cast<int>(property.value.size())),
          fmt::format("property '{}' of '{}'", property.name, node.path));
  }
}

void FdtBuilder::reserve(std::uint64_t address, std::uint64_t size) {
  check(fdt_add_mem_rsv(buffer_.data(), address, size), "memory reservation");
}

std::vector<std::byte> FdtBuilder::finish() {
  check(fdt_pack(buffer_.data()), "pack");
  std::vector<std::byte> blob(buffer_.begin(), buffer_.begin() + fdt_totalsize(buffer_.data()));
  return blob;
}

DeviceTreeProperty string_list_property(std::string name, std::initializer_list<std::string_view> strings) {
  DeviceTreeProperty property{std::move(name), {}};
  for (std::string_view text : strings) {
    for (char c : text) property.value.push_back(static_cast<std::byte>(c));
    property.value.push_back(std::byte{0});
  }
  return property;
}

DeviceTreeProperty u64_cells_property(std::string name, std::initializer_list<std::uint64_t> values) {
  DeviceTreeProperty property{std::move(name), {}};
  for (std::uint64_t value : values) {
    for (int shift = 56; shift >= 0; shift -= 8) property.value.push_back(static_cast<std::byte>(value >> shift));
  }
  return property;
}

DeviceTreeProperty bytes_property(std::string name, std::initializer_list<std::uint8_t> bytes) {
  DeviceTreeProperty property{std::move(name), {}};
  for (std::uint8_t byte : bytes) property.value.push_back(static_cast<std::byte>(byte));
  return property;
}

DeviceTreeProperty cell_vector_property(std::string name, const std::vector<std::uint32_t>& cells) {
  DeviceTreeProperty property{std::move(name), {}};
  for (std::uint32_t cell : cells) {
    for (int shift = 24; shift >= 0; shift -= 8) property.value.push_back(static_cast<std::byte>(cell >> shift));
  }
  return property;
}

}  // namespace mosaic::pseries
