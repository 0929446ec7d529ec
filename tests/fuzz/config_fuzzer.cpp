// A config file and command-line overrides, all the way to a resolved
// config (the core's, then the pseries machine's own keys) or a
// ConfigError. Any other exception is a crash. A resolved config must
// describe itself as a config that loads again to the same description.
//
// Input: leading lines "--set K=V", "--accel A" or "--log-level L" become
// overrides; the rest is the YAML file. The file sits at configs/fuzz.yaml
// in a scratch tree holding the files the seed configs name, so that their
// paths resolve as in the repository.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "config.hpp"
#include "mosaic/errors.hpp"
#include "pseries_machine.hpp"

namespace {

namespace fs = std::filesystem;
using mosaic::ConfigError;
using namespace mosaic::core;

fs::path scratch_tree() {
  std::string pattern = (fs::temp_directory_path() / "mosaic-config-fuzz-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) std::abort();
  const fs::path root = pattern;
  for (const char* file : {"build/tests/guests/hello/hello.elf", "guest-cache/vmlinux",
                           "guest-cache/initramfs.cpio.gz", "configs/vmlinux", "configs/initrd"}) {
    fs::create_directories((root / file).parent_path());
    std::ofstream(root / file) << "an image\n";
  }
  fs::create_directories(root / "plugins");
  fs::create_directories(root / "configs/plugins");
  return root;
}

void write(const fs::path& path, std::string_view text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
}

// The resolved config; ConfigError propagates.
std::string resolve(const fs::path& file, const CommandLineOverrides& overrides) {
  const RunConfig config = load_config(file, overrides);
  if (config.machine.name == "pseries") mosaic::pseries::parse_pseries_options(config.machine.options);
  return describe(config);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const fs::path root = scratch_tree();
  static const fs::path file = root / "configs/fuzz.yaml";
  static const fs::path again = root / "configs/described.yaml";
  std::string_view text(reinterpret_cast<const char*>(data), size);

  CommandLineOverrides overrides;
  for (;;) {
    const std::size_t end = text.find('\n');
    if (end == std::string_view::npos) break;
    const std::string_view line = text.substr(0, end);
    if (line.starts_with("--set ")) overrides.set.emplace_back(line.substr(6));
    else if (line.starts_with("--accel ")) overrides.accel = std::string(line.substr(8));
    else if (line.starts_with("--log-level ")) overrides.log_level = std::string(line.substr(12));
    else break;
    text.remove_prefix(end + 1);
  }
  write(file, text);
  std::string described;
  try {
    described = resolve(file, overrides);
  } catch (const ConfigError&) {
    return 0;  // refused with a located message
  }
  write(again, described);
  try {
    if (resolve(again, {}) != described) {
      std::fprintf(stderr, "the described config describes differently:\n%s\n", described.c_str());
      std::abort();
    }
  } catch (const ConfigError& error) {
    std::fprintf(stderr, "the described config does not load: %s\n%s\n", error.what(), described.c_str());
    std::abort();
  }
  return 0;
}
