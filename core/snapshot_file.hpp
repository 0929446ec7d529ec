// The snapshot file (DESIGN.md section 7):
//   "MOSAIC SNAPSHOT\n"  16 bytes
//   format version       u32, little-endian
//   header frame size    u64, little-endian
//   header frame         zstd, with its content checksum: the machine's
//                        name, memory size and vCPU count, the resolved
//                        config, and the machine's state
//   RAM frame            zstd, with its content checksum, to the end of the
//                        file: a bitmap of the 4 KiB pages that are not all
//                        zero (bit n of byte n / 8 for page n), then those
//                        pages in order
// Reading is in two steps because the VM is built in between: the header
// first (before anything is built, so that a file from another version or
// another machine runs nothing), then the RAM, into the built VM's memory,
// before it runs. A damaged or truncated file fails a checksum or ends a
// frame early: SnapshotError either way, naming the file.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "mosaic/guest_memory.hpp"

namespace mosaic::core {

class SnapshotError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

inline constexpr std::uint32_t kSnapshotFormatVersion = 1;

struct SnapshotHeader {
  std::string machine;  // the machine plugin's name
  std::uint64_t memory_bytes = 0;
  std::uint32_t cpus = 0;
  std::string config;  // the resolved config, as `mosaic config` prints it
  std::vector<std::byte> machine_state;
};

// Writes the snapshot to a temporary file next to `path` and renames it
// over `path` when complete. Throws SnapshotError.
void write_snapshot(const std::filesystem::path& path, const SnapshotHeader& header, const GuestMemory& ram);

class SnapshotFile {
 public:
  // Opens `path` and reads its header. Throws SnapshotError.
  explicit SnapshotFile(const std::filesystem::path& path);
  ~SnapshotFile();
  SnapshotFile(const SnapshotFile&) = delete;
  SnapshotFile& operator=(const SnapshotFile&) = delete;

  const SnapshotHeader& header() const { return header_; }
  // Fills `ram` (of the header's memory size) from the RAM frame, and
  // checks its checksum and that the file ends with it. Throws SnapshotError.
  void load_ram(GuestMemory& ram);

 private:
  struct Stream;
  std::filesystem::path path_;
  SnapshotHeader header_;
  std::unique_ptr<Stream> stream_;
};

}  // namespace mosaic::core
