#include "gdb_session.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "register_map.hpp"

namespace mosaic::gdb {
namespace {

// Error replies: errno values gdb shows as such.
constexpr const char* kBadArguments = "E22";  // EINVAL
constexpr const char* kBadAddress = "E14";    // EFAULT
constexpr const char* kNoSuchThread = "E03";  // ESRCH
constexpr const char* kNotSupported = "E95";  // EOPNOTSUPP: the accelerator cannot single-step
constexpr std::size_t kMaxTransfer = (kMaxPacketSize - 16) / 2;  // bytes of memory per m reply

// "addr,length" with both in hex.
std::optional<std::pair<std::uint64_t, std::uint64_t>> parse_address_length(std::string_view text) {
  const auto comma = text.find(',');
  if (comma == std::string_view::npos) return std::nullopt;
  const auto address = parse_hex_number(text.substr(0, comma));
  const auto length = parse_hex_number(text.substr(comma + 1));
  if (!address || !length) return std::nullopt;
  return std::pair{*address, *length};
}

// Thread ids are vCPU index + 1: gdb reserves 0 ("any") and -1 ("all").
std::string thread_id(std::size_t vcpu) { return fmt::format("{:x}", vcpu + 1); }

}  // namespace

GdbSession::GdbSession(DebugTarget& target, Sender send, std::shared_ptr<spdlog::logger> log)
    : target_(target), send_(std::move(send)), log_(std::move(log)) {}

void GdbSession::receive(std::string_view bytes) {
  std::vector<RspEvent> events;
  decoder_.feed(bytes, events);
  for (auto& event : events) {
    switch (event.kind) {
      case RspEvent::Kind::packet:
        if (acknowledge_) send_("+");
        handle_packet(event.payload);
        break;
      case RspEvent::Kind::nack:
        if (!last_packet_.empty()) send_(last_packet_);
        break;
      case RspEvent::Kind::interrupt:
        if (running_) {
          target_.stop_all();
          running_ = false;
          reply(stop_reply(stopped_vcpu_, "T02"));  // SIGINT
        }
        break;
      case RspEvent::Kind::bad_checksum:
      case RspEvent::Kind::overlong:
        log_->warn("gdb: dropped a {} packet", event.kind == RspEvent::Kind::overlong ? "too long" : "corrupt");
        if (acknowledge_) send_("-");
        break;
      case RspEvent::Kind::ack:
        break;
    }
  }
}

void GdbSession::report_stop(std::size_t vcpu, const DebugExit& exit) {
  if (!running_) return;
  running_ = false;
  stopped_vcpu_ = vcpu;
  register_vcpu_ = vcpu;
  std::string reason = "T05";  // SIGTRAP
  switch (exit.cause) {
    case DebugCause::software_breakpoint: reason += "swbreak:;"; break;
    case DebugCause::hardware_breakpoint: reason += "hwbreak:;"; break;
    case DebugCause::watchpoint: reason += fmt::format("watch:{:x};", exit.address); break;
    case DebugCause::single_step: break;
  }
  reply(stop_reply(vcpu, reason));
}

void GdbSession::disconnect() {
  debug_ = GuestDebug{};
  apply_debug_state();
  if (!running_) target_.resume_all(std::nullopt);
  running_ = true;
}

void GdbSession::reply(std::string payload) {
  last_packet_ = encode_packet(payload);
  send_(last_packet_);
}

void GdbSession::handle_packet(const std::string& packet) {
  if (running_) {
    // While the guest runs gdb only sends the interrupt byte; anything else
    // is a confused client: answer with an error instead of touching state.
    reply(kBadArguments);
    return;
  }
  if (packet.starts_with('c') || packet.starts_with('s') || packet.starts_with("vCont;")) {
    const auto error = packet.starts_with("vCont;") ? resume_with_actions(std::string_view(packet).substr(6))
                                                     : resume(packet);
    if (error) reply(*error);
    return;
  }
  if (packet == "D" || packet.starts_with("D;")) {
    reply("OK");
    disconnect();
    return;
  }
  if (packet == "k") {
    // No reply: the target is gone (the RSP's kill has none).
    log_->info("gdb: kill requested, ending the run");
    target_.end_run("killed by the debugger");
    running_ = true;
    return;
  }
  if (packet == "QStartNoAckMode") {
    reply("OK");
    acknowledge_ = false;
    return;
  }
  reply(dispatch(packet));
}

std::string GdbSession::dispatch(const std::string& packet) {
  const std::string_view view(packet);
  switch (packet.empty() ? '\0' : packet[0]) {
    case '?': return stop_reply(stopped_vcpu_, "T05");
    case 'g': return read_registers();
    case 'G': return write_registers(view.substr(1));
    case 'p': return read_one_register(view.substr(1));
    case 'P': return write_one_register(view.substr(1));
    case 'm': return read_memory(view.substr(1));
    case 'M': return write_memory(view.substr(1), false);
    case 'X': return write_memory(view.substr(1), true);
    case 'Z': return change_breakpoint(view.substr(1), true);
    case 'z': return change_breakpoint(view.substr(1), false);
    case 'H': return set_thread(view.substr(1));
    case 'T': {
      const auto thread = parse_hex_number(view.substr(1));
      return thread && *thread >= 1 && *thread <= target_.vcpu_count() ? "OK" : kNoSuchThread;
    }
    case 'q':
    case 'Q': return query(view);
    case 'v':
      if (view == "vCont?") return target_.debug_features().single_step ? "vCont;c;C;s;S" : "vCont;c;C";
      return "";
    default: return "";  // unsupported: the empty reply, per the protocol
  }
}

std::string GdbSession::query(std::string_view packet) {
  if (packet.starts_with("qSupported")) {
    return fmt::format("PacketSize={:x};qXfer:features:read+;QStartNoAckMode+;swbreak+;hwbreak+;vContSupported+",
                       kMaxPacketSize);
  }
  if (packet == "qfThreadInfo") {
    std::string list = "m";
    for (std::size_t vcpu = 0; vcpu < target_.vcpu_count(); ++vcpu) list += (vcpu ? "," : "") + thread_id(vcpu);
    return list;
  }
  if (packet == "qsThreadInfo") return "l";
  if (packet == "qC") return "QC" + thread_id(stopped_vcpu_);
  if (packet == "qAttached") return "1";  // detaching leaves the VM running
  if (packet.starts_with("qThreadExtraInfo,")) {
    const auto thread = parse_hex_number(packet.substr(17));
    if (!thread || *thread < 1 || *thread > target_.vcpu_count()) return kNoSuchThread;
    return to_hex(fmt::format("vCPU {}", *thread - 1));
  }
  constexpr std::string_view kFeatures = "qXfer:features:read:target.xml:";
  if (packet.starts_with(kFeatures)) {
    const auto range = parse_address_length(packet.substr(kFeatures.size()));
    if (!range) return kBadArguments;
    const std::string& xml = target_description();
    if (range->first >= xml.size()) return "l";
    const std::size_t length = std::min<std::uint64_t>({range->second, xml.size() - range->first, kMaxTransfer});
    const bool last = range->first + length >= xml.size();
    return (last ? "l" : "m") + xml.substr(range->first, length);
  }
  if (packet.starts_with("qXfer:")) return "E00";  // an object we do not offer
  return "";
}

std::string GdbSession::set_thread(std::string_view packet) {
  if (packet.size() < 2) return kBadArguments;
  const std::string_view id = packet.substr(1);
  if (id == "0" || id == "-1") return "OK";  // any / all threads
  const auto thread = parse_hex_number(id);
  if (!thread || *thread < 1 || *thread > target_.vcpu_count()) return kNoSuchThread;
  if (packet[0] == 'g') register_vcpu_ = *thread - 1;
  return "OK";
}

std::string GdbSession::read_registers() {
  const auto registers = target_.registers(register_vcpu_);
  return to_hex(read_all_registers(registers, registers.msr & ppc::msr::kLittleEndian));
}

std::string GdbSession::write_registers(std::string_view hex) {
  const auto bytes = from_hex(hex);
  auto registers = target_.registers(register_vcpu_);
  if (!bytes || !write_all_registers(registers, *bytes, registers.msr & ppc::msr::kLittleEndian)) {
    return kBadArguments;
  }
  target_.set_registers(register_vcpu_, registers);
  return "OK";
}

std::string GdbSession::read_one_register(std::string_view packet) {
  const auto number = parse_hex_number(packet);
  if (!number || !register_size(static_cast<unsigned>(*number)) || *number >= kRegisterCount) return kBadArguments;
  const auto registers = target_.registers(register_vcpu_);
  return to_hex(read_register(registers, static_cast<unsigned>(*number), registers.msr & ppc::msr::kLittleEndian));
}

std::string GdbSession::write_one_register(std::string_view packet) {
  const auto equals = packet.find('=');
  if (equals == std::string_view::npos) return kBadArguments;
  const auto number = parse_hex_number(packet.substr(0, equals));
  const auto bytes = from_hex(packet.substr(equals + 1));
  if (!number || !bytes || *number >= kRegisterCount) return kBadArguments;
  auto registers = target_.registers(register_vcpu_);
  if (!write_register(registers, static_cast<unsigned>(*number), *bytes, registers.msr & ppc::msr::kLittleEndian)) {
    return kBadArguments;
  }
  target_.set_registers(register_vcpu_, registers);
  return "OK";
}

// Reads or writes guest memory by effective address, one page at a time:
// consecutive virtual pages need not be contiguous in real memory.
std::size_t GdbSession::access_virtual(std::size_t vcpu, std::uint64_t address, std::string& bytes, bool write) {
  constexpr std::uint64_t kPage = 4096;
  std::size_t done = 0;
  while (done < bytes.size()) {
    const std::uint64_t effective = address + done;
    const std::size_t chunk = std::min<std::uint64_t>(bytes.size() - done, kPage - (effective % kPage));
    const auto real = target_.debug_translate(vcpu, effective);
    if (!real) break;
    auto* data = reinterpret_cast<std::byte*>(bytes.data() + done);
    const bool ok = write ? target_.write_physical(*real, {data, chunk}) : target_.read_physical(*real, {data, chunk});
    if (!ok) break;
    done += chunk;
  }
  return done;
}

std::string GdbSession::read_memory(std::string_view packet) {
  const auto range = parse_address_length(packet);
  if (!range) return kBadArguments;
  // The protocol lets a reply carry fewer bytes than asked (gdb asks again
  // for the rest): a long read is cut to what fits, and a read running into
  // an unmapped page returns what precedes it.
  std::string bytes(std::min<std::uint64_t>(range->second, kMaxTransfer), '\0');
  const std::size_t done = access_virtual(register_vcpu_, range->first, bytes, false);
  if (done == 0 && !bytes.empty()) return kBadAddress;
  bytes.resize(done);
  return to_hex(bytes);
}

std::string GdbSession::write_memory(std::string_view packet, bool binary) {
  const auto colon = packet.find(':');
  if (colon == std::string_view::npos) return kBadArguments;
  const auto range = parse_address_length(packet.substr(0, colon));
  const std::string_view data = packet.substr(colon + 1);
  auto bytes = binary ? std::optional<std::string>(std::string(data)) : from_hex(data);
  if (!range || !bytes || bytes->size() != range->second) return kBadArguments;
  if (access_virtual(register_vcpu_, range->first, *bytes, true) != bytes->size()) return kBadAddress;
  return "OK";
}

std::string GdbSession::change_breakpoint(std::string_view packet, bool insert) {
  // Z<type>,<addr>,<kind>: 0 software, 1 hardware, 2 write, 3 read, 4 access.
  if (packet.size() < 3 || packet[1] != ',') return kBadArguments;
  const char type = packet[0];
  const auto range = parse_address_length(packet.substr(2));
  if (!range) return kBadArguments;
  const auto [address, kind] = *range;
  const DebugFeatures features = target_.debug_features();
  auto change = [&](auto& list, auto entry, std::size_t limit) -> std::string {
    const auto found = std::find(list.begin(), list.end(), entry);
    if (insert) {
      if (found != list.end()) return "OK";
      if (list.size() >= limit) return "E28";  // ENOSPC: out of debug resources
      list.push_back(entry);
    } else if (found != list.end()) {
      list.erase(found);
    }
    apply_debug_state();
    return "OK";
  };
  switch (type) {
    case '0':
      if (!features.software_breakpoints) return "";
      return change(debug_.software_breakpoints, address, SIZE_MAX);
    case '1':
      if (features.hardware_breakpoints == 0) return "";
      return change(debug_.hardware_breakpoints, address, features.hardware_breakpoints);
    case '2':
    case '3':
    case '4': {
      if (features.watchpoints == 0) return "";
      const WatchKind watch = type == '2' ? WatchKind::write : type == '3' ? WatchKind::read : WatchKind::access;
      return change(debug_.watchpoints, Watchpoint{address, kind, watch}, features.watchpoints);
    }
    default: return "";
  }
}

void GdbSession::apply_debug_state() { target_.set_debug(debug_); }

std::optional<std::string> GdbSession::resume(std::string_view packet) {
  // c[addr] / s[addr]: an address means "resume there".
  if (packet[0] == 's' && !target_.debug_features().single_step) return kNotSupported;
  if (packet.size() > 1) {
    const auto address = parse_hex_number(packet.substr(1));
    if (!address) return kBadArguments;
    auto registers = target_.registers(register_vcpu_);
    registers.nip = *address;
    target_.set_registers(register_vcpu_, registers);
  }
  running_ = true;
  target_.resume_all(packet[0] == 's' ? std::optional<std::size_t>(register_vcpu_) : std::nullopt);
  return std::nullopt;
}

std::optional<std::string> GdbSession::resume_with_actions(std::string_view actions) {
  // vCont;action[:thread];...: we honour one stepping thread; every other
  // thread continues (C/S signals are ignored: a VM has no signals).
  std::optional<std::size_t> step;
  while (!actions.empty()) {
    const auto end = actions.find(';');
    const std::string_view action = actions.substr(0, end);
    actions = end == std::string_view::npos ? std::string_view() : actions.substr(end + 1);
    if (action.empty()) return kBadArguments;
    const char verb = action[0];
    if (verb != 'c' && verb != 'C' && verb != 's' && verb != 'S') return kBadArguments;
    std::size_t vcpu = stopped_vcpu_;
    if (const auto colon = action.find(':'); colon != std::string_view::npos) {
      const auto thread = parse_hex_number(action.substr(colon + 1));
      if (thread && (*thread < 1 || *thread > target_.vcpu_count())) return kNoSuchThread;
      if (thread) vcpu = *thread - 1;
    }
    if ((verb == 's' || verb == 'S') && !step) step = vcpu;
  }
  if (step && !target_.debug_features().single_step) return kNotSupported;
  running_ = true;
  target_.resume_all(step);
  return std::nullopt;
}

std::string GdbSession::stop_reply(std::size_t vcpu, std::string_view reason) const {
  return fmt::format("{}thread:{};", reason, thread_id(vcpu));
}

}  // namespace mosaic::gdb
