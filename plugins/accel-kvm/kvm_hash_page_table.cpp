#include "kvm_hash_page_table.hpp"

#include <asm/kvm.h>
#include <linux/kvm.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "file_descriptor.hpp"
#include "htab_stream.hpp"

namespace mosaic::kvm {
namespace {

// Bounds one read() so that a lookup of a whole table stays in small steps.
constexpr std::size_t kEntriesPerRead = 1024;

FileDescriptor open_stream(int vm_fd, std::uint64_t start_index, std::uint64_t flags) {
  kvm_get_htab_fd request{};
  request.flags = flags;
  request.start_index = start_index;
  return FileDescriptor(ioctl(vm_fd, KVM_PPC_GET_HTAB_FD, &request));
}

}  // namespace

ppc::HptStatus KvmHashPageTable::allocate(unsigned order) {
  if (order < kMinOrder || order > kMaxOrder) return ppc::HptStatus::out_of_range;
  std::uint32_t requested = order;
  if (ioctl(vm_fd_, KVM_PPC_ALLOCATE_HTAB, &requested) < 0) {
    log_->error("KVM_PPC_ALLOCATE_HTAB with order {} failed: {}", order, std::strerror(errno));
    return ppc::HptStatus::io_error;
  }
  order_.store(order);
  return ppc::HptStatus::ok;
}

ppc::HptStatus KvmHashPageTable::read_hptes(std::uint64_t ptex, std::span<ppc::Hpte> out) {
  if (const auto status = check_range(order(), ptex, out.size()); status != ppc::HptStatus::ok) return status;
  if (out.empty()) return ppc::HptStatus::ok;
  std::lock_guard lock(stream_mutex_);
  // A read fd reports only entries modified since its previous pass, so each
  // lookup starts a fresh stream at the first entry it wants.
  const FileDescriptor stream = open_stream(vm_fd_, ptex, 0);
  if (!stream.valid()) {
    log_->error("KVM_PPC_GET_HTAB_FD for reading at entry {} failed: {}", ptex, std::strerror(errno));
    return ppc::HptStatus::io_error;
  }
  HtabReadDecoder decoder(ptex, out);
  std::vector<std::byte> buffer;
  while (!decoder.complete()) {
    const std::size_t wanted = std::min(out.size() - decoder.filled(), kEntriesPerRead);
    buffer.resize(htab_read_buffer_size(wanted));
    const ssize_t got = read(stream.get(), buffer.data(), buffer.size());
    if (got < 0) {
      if (errno == EINTR) continue;
      log_->error("reading the HPT stream at entry {} failed: {}", ptex + decoder.filled(), std::strerror(errno));
      return ppc::HptStatus::io_error;
    }
    if (decoder.feed(std::span(buffer.data(), static_cast<std::size_t>(got))) == HtabReadDecoder::Status::error) {
      log_->error("{}", decoder.error());
      return ppc::HptStatus::io_error;
    }
  }
  return ppc::HptStatus::ok;
}

ppc::HptStatus KvmHashPageTable::write_hpte(std::uint64_t ptex, const ppc::Hpte& entry) {
  if (const auto status = check_range(order(), ptex, 1); status != ppc::HptStatus::ok) return status;
  std::lock_guard lock(stream_mutex_);
  const FileDescriptor stream = open_stream(vm_fd_, 0, KVM_GET_HTAB_WRITE);
  if (!stream.valid()) {
    log_->error("KVM_PPC_GET_HTAB_FD for writing failed: {}", std::strerror(errno));
    return ppc::HptStatus::io_error;
  }
  // The kernel parses one record per write(), so each entry goes alone.
  const std::vector<std::byte> record = encode_htab_write(static_cast<std::uint32_t>(ptex), entry);
  ssize_t written;
  do {
    written = write(stream.get(), record.data(), record.size());
  } while (written < 0 && errno == EINTR);
  if (written != static_cast<ssize_t>(record.size())) {
    // EBUSY while vCPUs run; EIO when H_ENTER refuses the entry.
    log_->error("writing HPT entry {} (v={:#x} r={:#x}) failed: {}", ptex, entry.v, entry.r,
                written < 0 ? std::strerror(errno) : "short write");
    return ppc::HptStatus::io_error;
  }
  return ppc::HptStatus::ok;
}

}  // namespace mosaic::kvm
