// The device tree pseries boots with, built from options a user or a
// device plugin controls: the command line, the vCPU count, and nodes with
// arbitrary names, property names and values (as a device plugin adds them
// from its config). Either the machine refuses with SetupError, or the
// guest gets a tree libfdt checks in full that holds every added property
// with its last value, and the command line as /chosen/bootargs.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>

#include <libfdt.h>

#include "fuzz_input.hpp"
#include "pseries_harness.hpp"

namespace {

using namespace mosaic;

constexpr std::uint64_t kRamBytes = 64ull << 20;

// Names mostly from the alphabet device trees use, sometimes any bytes.
std::string name(fuzz::FuzzInput& input) {
  static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789,._+-@#?/";
  std::string text = input.take_string(24);
  if (input.take<std::uint8_t>() < 224) {
    for (char& c : text) c = kAlphabet[static_cast<unsigned char>(c) % (sizeof kAlphabet - 1)];
  }
  return text;
}

[[noreturn]] void violation(const std::string& what) {
  std::fprintf(stderr, "device tree: %s\n", what.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static fuzz::PseriesHarness harness(kRamBytes);
  fuzz::FuzzInput input(data, size);
  fuzz::MachineSetup setup;
  setup.cpus = 1 + input.take<std::uint8_t>() % 8;
  setup.cmdline = input.take_string(4096);
  const unsigned nodes = input.take<std::uint8_t>() % 8;
  for (unsigned n = 0; n < nodes; ++n) {
    DeviceTreeNode node;
    // Usually under /vdevice, as a VIO device's node is; sometimes anywhere.
    const bool vio = input.take_bool();
    node.path = (vio ? "/vdevice/" : "/") + name(input);
    if (input.take<std::uint8_t>() < 64) node.path += "/" + name(input);
    const unsigned properties = input.take<std::uint8_t>() % 8;
    for (unsigned p = 0; p < properties; ++p) {
      DeviceTreeProperty property{name(input), {}};
      const auto bytes = input.take_bytes(input.take<std::uint8_t>() % 64);
      for (auto byte : bytes) property.value.push_back(static_cast<std::byte>(byte));
      node.properties.push_back(std::move(property));
    }
    setup.device_nodes.push_back(std::move(node));
  }

  // What the booted tree must hold: each (node, property) with the value
  // added last (the builder replaces same-named properties).
  std::map<std::pair<std::string, std::string>, std::vector<std::byte>> expected;
  std::string bootargs = setup.cmdline + '\0';
  for (const auto& node : setup.device_nodes) {
    for (const auto& property : node.properties) {
      expected[{node.path, property.name}] = property.value;
      if (node.path == "/chosen" && property.name == "bootargs") {
        bootargs.assign(reinterpret_cast<const char*>(property.value.data()), property.value.size());
      }
    }
  }
  bool booted = false;
  harness.on_boot([&](std::span<const std::byte> fdt) {
    booted = true;
    const auto lookup = [&fdt](const std::string& path, const std::string& property) -> std::optional<std::string> {
      const int node = fdt_path_offset(fdt.data(), path.c_str());
      if (node < 0) return std::nullopt;
      int length = 0;
      const void* value = fdt_getprop(fdt.data(), node, property.c_str(), &length);
      if (value == nullptr) return std::nullopt;
      return std::string(static_cast<const char*>(value), static_cast<std::size_t>(length));
    };
    if (lookup("/chosen", "bootargs") != bootargs) violation("/chosen/bootargs is not the command line");
    for (const auto& [where, value] : expected) {
      const auto found = lookup(where.first, where.second);
      if (!found || *found != std::string(reinterpret_cast<const char*>(value.data()), value.size())) {
        violation("'" + where.first + "' lacks property '" + where.second + "' as added");
      }
    }
  });
  const auto refused = harness.run(std::move(setup));
  if (!refused && !booted) violation("the machine neither booted nor refused");
  return 0;
}
