#include "snapshot_file.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <fstream>
#include <memory>

#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>
#include <fmt/std.h>
#include <zstd.h>

#include "mosaic/state.hpp"

namespace mosaic::core {

namespace {

constexpr std::array<char, 16> kMagic{'M', 'O', 'S', 'A', 'I', 'C', ' ', 'S', 'N', 'A', 'P', 'S', 'H', 'O', 'T', '\n'};
constexpr std::uint64_t kPageBytes = 4096;
// The header frame holds the machine's state, a few MiB at most (the HPT's
// valid entries); anything claiming more is damage, not a reason to allocate.
constexpr std::uint64_t kMaxHeaderBytes = 1ull << 30;
// Fast enough to save a GiB in a second or two; zero pages are skipped anyway.
constexpr int kCompressionLevel = 1;
constexpr std::size_t kIoChunk = 1 << 20;

std::uint64_t page_count(std::uint64_t ram_bytes) { return (ram_bytes + kPageBytes - 1) / kPageBytes; }

// Which host pages of a range were never written: neither in memory nor in
// swap (Linux's /proc/self/pagemap, bits 63 and 62), so they read as zero.
// Reading them to find out would fault every one of them in, which for a
// guest that uses little of its RAM costs seconds and all of that memory.
// Without pagemap every page counts as written.
class UntouchedPages {
 public:
  UntouchedPages(const std::byte* base, std::uint64_t size)
      : host_page_(static_cast<std::uintptr_t>(sysconf(_SC_PAGESIZE))),
        first_(reinterpret_cast<std::uintptr_t>(base) / host_page_) {
    const std::uintptr_t end = (reinterpret_cast<std::uintptr_t>(base) + size + host_page_ - 1) / host_page_;
    const int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return;
    entries_.resize(end - first_);
    const std::size_t bytes = entries_.size() * sizeof(std::uint64_t);
    std::size_t done = 0;
    while (done < bytes) {
      const ssize_t got = pread(fd, reinterpret_cast<char*>(entries_.data()) + done, bytes - done,
                                static_cast<off_t>(first_ * sizeof(std::uint64_t) + done));
      if (got <= 0) break;
      done += static_cast<std::size_t>(got);
    }
    close(fd);
    if (done != bytes) entries_.clear();
  }
  bool untouched(const std::byte* address) const {
    if (entries_.empty()) return false;
    const std::uint64_t entry = entries_[reinterpret_cast<std::uintptr_t>(address) / host_page_ - first_];
    return (entry & (3ull << 62)) == 0;
  }

 private:
  std::uintptr_t host_page_;
  std::uintptr_t first_;
  std::vector<std::uint64_t> entries_;
};

bool all_zero(const std::byte* data, std::size_t size) {
  static const std::array<std::byte, kPageBytes> zeros{};
  return std::memcmp(data, zeros.data(), size) == 0;  // size <= kPageBytes
}

void put_le(std::ostream& out, std::uint64_t value, unsigned size) {
  char bytes[8];
  for (unsigned i = 0; i < size; ++i) bytes[i] = static_cast<char>(value >> (8 * i));
  out.write(bytes, size);
}

std::uint64_t get_le(const std::byte* bytes, unsigned size) {
  std::uint64_t value = 0;
  for (unsigned i = 0; i < size; ++i) value |= std::uint64_t{std::to_integer<std::uint8_t>(bytes[i])} << (8 * i);
  return value;
}

struct CompressContext {
  CompressContext() : context(ZSTD_createCCtx()) {
    if (context == nullptr) throw SnapshotError("snapshot: zstd cannot make a compression context");
    ZSTD_CCtx_setParameter(context, ZSTD_c_compressionLevel, kCompressionLevel);
    ZSTD_CCtx_setParameter(context, ZSTD_c_checksumFlag, 1);
  }
  ~CompressContext() { ZSTD_freeCCtx(context); }
  ZSTD_CCtx* context;
};

// Streams one zstd frame to `out`.
class FrameWriter {
 public:
  FrameWriter(std::ostream& out, ZSTD_CCtx* context) : out_(out), context_(context), buffer_(ZSTD_CStreamOutSize()) {
    ZSTD_CCtx_reset(context_, ZSTD_reset_session_only);
  }
  void write(const void* data, std::size_t size) { feed(data, size, ZSTD_e_continue); }
  void finish() { feed(nullptr, 0, ZSTD_e_end); }

 private:
  void feed(const void* data, std::size_t size, ZSTD_EndDirective mode) {
    ZSTD_inBuffer input{data, size, 0};
    for (;;) {
      ZSTD_outBuffer output{buffer_.data(), buffer_.size(), 0};
      const std::size_t left = ZSTD_compressStream2(context_, &output, &input, mode);
      if (ZSTD_isError(left)) throw SnapshotError(fmt::format("snapshot: zstd: {}", ZSTD_getErrorName(left)));
      out_.write(buffer_.data(), static_cast<std::streamsize>(output.pos));
      const bool done = mode == ZSTD_e_end ? left == 0 : input.pos == input.size;
      if (done) return;
    }
  }
  std::ostream& out_;
  ZSTD_CCtx* context_;
  std::vector<char> buffer_;
};

}  // namespace

void write_snapshot(const std::filesystem::path& path, const SnapshotHeader& header, const GuestMemory& ram) {
  StateWriter fields;
  fields.string(header.machine);
  fields.u64(header.memory_bytes);
  fields.u32(header.cpus);
  fields.string(header.config);
  fields.bytes(header.machine_state);
  CompressContext compress;
  std::vector<char> header_frame(ZSTD_compressBound(fields.data().size()));
  const std::size_t header_size = ZSTD_compress2(compress.context, header_frame.data(), header_frame.size(),
                                                 fields.data().data(), fields.data().size());
  if (ZSTD_isError(header_size)) throw SnapshotError(fmt::format("snapshot: zstd: {}", ZSTD_getErrorName(header_size)));

  std::filesystem::path temporary = path;
  temporary += ".partial";
  std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
  if (!out) throw SnapshotError(fmt::format("{}: cannot create the snapshot file", temporary));
  out.write(kMagic.data(), kMagic.size());
  put_le(out, kSnapshotFormatVersion, 4);
  put_le(out, header_size, 8);
  out.write(header_frame.data(), static_cast<std::streamsize>(header_size));

  const std::uint64_t pages = page_count(ram.size());
  std::vector<std::uint8_t> bitmap((pages + 7) / 8);
  const std::byte* base = ram.host_base();
  auto page_bytes = [&](std::uint64_t page) { return std::min(kPageBytes, ram.size() - page * kPageBytes); };
  const UntouchedPages untouched(base, ram.size());
  for (std::uint64_t page = 0; page < pages; ++page) {
    const std::byte* data = base + page * kPageBytes;
    if (!untouched.untouched(data) && !all_zero(data, page_bytes(page))) {
      bitmap[page / 8] |= std::uint8_t(1u << (page % 8));
    }
  }
  FrameWriter frame(out, compress.context);
  frame.write(bitmap.data(), bitmap.size());
  for (std::uint64_t page = 0; page < pages; ++page) {
    if (bitmap[page / 8] & (1u << (page % 8))) frame.write(base + page * kPageBytes, page_bytes(page));
  }
  frame.finish();
  out.close();
  if (!out) throw SnapshotError(fmt::format("{}: cannot write the snapshot file", temporary));
  std::error_code error;
  std::filesystem::rename(temporary, path, error);
  if (error) throw SnapshotError(fmt::format("{}: cannot rename the snapshot into place: {}", path, error.message()));
}

// The RAM frame's reader: decompresses straight into the spans asked for,
// reading the file as it needs.
struct SnapshotFile::Stream {
  explicit Stream(std::ifstream file) : file(std::move(file)), context(ZSTD_createDStream()), input(kIoChunk) {
    if (context == nullptr) throw SnapshotError("snapshot: zstd cannot make a decompression context");
  }
  ~Stream() { ZSTD_freeDStream(context); }

  // Fills `out`; throws naming `path` when the frame is damaged or the
  // file ends first.
  void read(std::span<std::byte> out, const std::filesystem::path& path) {
    ZSTD_outBuffer output{out.data(), out.size(), 0};
    while (output.pos < output.size) {
      if (frame_done) throw SnapshotError(fmt::format("{}: damaged snapshot: the RAM ends early", path));
      step(output, path);
    }
  }
  // The frame must end here (its checksum checked) and so must the file.
  void finish(const std::filesystem::path& path) {
    std::byte extra{};
    while (!frame_done) {
      ZSTD_outBuffer output{&extra, 1, 0};
      step(output, path);
      if (output.pos != 0) throw SnapshotError(fmt::format("{}: damaged snapshot: more RAM than the guest's", path));
    }
    if (in.pos < in.size || file.peek() != std::char_traits<char>::eof()) {
      throw SnapshotError(fmt::format("{}: damaged snapshot: bytes follow the RAM", path));
    }
  }

  void step(ZSTD_outBuffer& output, const std::filesystem::path& path) {
    if (in.pos == in.size) {
      file.read(reinterpret_cast<char*>(input.data()), static_cast<std::streamsize>(input.size()));
      in = {input.data(), static_cast<std::size_t>(file.gcount()), 0};
      if (in.size == 0) throw SnapshotError(fmt::format("{}: truncated snapshot: the RAM ends early", path));
    }
    const std::size_t hint = ZSTD_decompressStream(context, &output, &in);
    if (ZSTD_isError(hint)) {
      throw SnapshotError(fmt::format("{}: damaged snapshot: {}", path, ZSTD_getErrorName(hint)));
    }
    if (hint == 0) frame_done = true;
  }

  std::ifstream file;
  ZSTD_DStream* context;
  std::vector<std::byte> input;
  ZSTD_inBuffer in{nullptr, 0, 0};
  bool frame_done = false;
};

SnapshotFile::SnapshotFile(const std::filesystem::path& path) : path_(path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) throw SnapshotError(fmt::format("{}: cannot open the snapshot", path));
  std::array<std::byte, 28> fixed{};
  file.read(reinterpret_cast<char*>(fixed.data()), fixed.size());
  if (file.gcount() != static_cast<std::streamsize>(fixed.size()) ||
      std::memcmp(fixed.data(), kMagic.data(), kMagic.size()) != 0) {
    throw SnapshotError(fmt::format("{}: not a Mosaic snapshot", path));
  }
  const auto version = static_cast<std::uint32_t>(get_le(fixed.data() + 16, 4));
  if (version != kSnapshotFormatVersion) {
    throw SnapshotError(fmt::format("{}: snapshot format version {}; this mosaic reads version {}", path, version,
                                    kSnapshotFormatVersion));
  }
  const std::uint64_t frame_size = get_le(fixed.data() + 20, 8);
  if (frame_size == 0 || frame_size > kMaxHeaderBytes) {
    throw SnapshotError(fmt::format("{}: damaged snapshot: a header of {} bytes", path, frame_size));
  }
  std::vector<char> frame(frame_size);
  file.read(frame.data(), static_cast<std::streamsize>(frame_size));
  if (file.gcount() != static_cast<std::streamsize>(frame_size)) {
    throw SnapshotError(fmt::format("{}: truncated snapshot: the header ends early", path));
  }
  const unsigned long long content = ZSTD_getFrameContentSize(frame.data(), frame.size());
  if (content == ZSTD_CONTENTSIZE_ERROR || content == ZSTD_CONTENTSIZE_UNKNOWN || content > kMaxHeaderBytes) {
    throw SnapshotError(fmt::format("{}: damaged snapshot: the header is no zstd frame", path));
  }
  std::vector<std::byte> fields(content);
  const std::size_t size = ZSTD_decompress(fields.data(), fields.size(), frame.data(), frame.size());
  if (ZSTD_isError(size) || size != content) {
    throw SnapshotError(fmt::format("{}: damaged snapshot: {}", path,
                                    ZSTD_isError(size) ? ZSTD_getErrorName(size) : "the header's size is wrong"));
  }
  try {
    StateReader reader(fields);
    header_.machine = reader.string();
    header_.memory_bytes = reader.u64();
    header_.cpus = reader.u32();
    header_.config = reader.string();
    const auto state = reader.bytes();
    header_.machine_state.assign(state.begin(), state.end());
    reader.expect_end();
  } catch (const StateError& error) {
    throw SnapshotError(fmt::format("{}: damaged snapshot: {}", path, error.what()));
  }
  stream_ = std::make_unique<Stream>(std::move(file));
}

SnapshotFile::~SnapshotFile() = default;

void SnapshotFile::load_ram(GuestMemory& ram) {
  if (ram.size() != header_.memory_bytes) {
    throw SnapshotError(fmt::format("{}: the snapshot holds {} bytes of RAM, the guest has {}", path_,
                                    header_.memory_bytes, ram.size()));
  }
  const std::uint64_t pages = page_count(ram.size());
  std::vector<std::byte> bitmap((pages + 7) / 8);
  stream_->read(bitmap, path_);
  std::byte* base = ram.host_base();
  const UntouchedPages untouched(base, ram.size());
  for (std::uint64_t page = 0; page < pages; ++page) {
    const std::size_t size = std::min(kPageBytes, ram.size() - page * kPageBytes);
    std::byte* target = base + page * kPageBytes;
    if (std::to_integer<unsigned>(bitmap[page / 8]) & (1u << (page % 8))) {
      stream_->read(std::span(target, size), path_);
    } else if (!untouched.untouched(target) && !all_zero(target, size)) {
      std::memset(target, 0, size);  // only what the build wrote: untouched pages stay unallocated
    }
  }
  stream_->finish(path_);
  ram.notify_written(0, ram.size());
}

}  // namespace mosaic::core
