// The pseries machine's own hypercalls and RTAS functions: console, RTAS,
// HPT, XICS, idle, mode setting, power and CPU control.
#include <ctime>

#include <fmt/format.h>

#include "papr.hpp"
#include "pseries_machine.hpp"

namespace mosaic::pseries {

namespace {

namespace hcall {
constexpr std::uint64_t kGetTermChar = 0x54;
constexpr std::uint64_t kPutTermChar = 0x58;
constexpr std::uint64_t kEoi = 0x64;
constexpr std::uint64_t kCppr = 0x68;
constexpr std::uint64_t kIpi = 0x6c;
constexpr std::uint64_t kIpoll = 0x70;
constexpr std::uint64_t kXirr = 0x74;
constexpr std::uint64_t kSetMode = 0x31c;
}  // namespace hcall

// H_SET_MODE (PAPR 14.5.4.3.8): resources and their return codes.
constexpr std::uint64_t kSetModeInterruptAddressMode = 3;
constexpr std::uint64_t kSetModeEndianness = 4;
constexpr std::int64_t kBadParameter2 = -55;  // H_P2
constexpr std::int64_t kBadParameter3 = -56;  // H_P3
constexpr std::int64_t kBadParameter4 = -57;  // H_P4
constexpr std::int64_t kUnsupportedFlag = -256;  // H_UNSUPPORTED_FLAG_START
constexpr unsigned kLpcrAilShift = 23;                            // LPCR[AIL]

// RTAS query-cpu-stopped-state results (LoPAPR 7.3.19).
constexpr std::uint32_t kCpuStopped = 0;
constexpr std::uint32_t kCpuRunning = 2;
constexpr std::size_t kMaxOsTermMessage = 1024;
constexpr std::int64_t kNanosecondsPerSecond = 1'000'000'000;
// set-time-of-day's years: within a century or two of any host's clock.
constexpr std::uint32_t kEarliestYear = 1900;
constexpr std::uint32_t kLatestYear = 2199;

bool has_counts(const RtasCall& call, std::size_t args, std::size_t rets) {
  if (call.args.size() == args && call.rets.size() == rets) return true;
  call.rets[0] = static_cast<std::uint32_t>(rtas_status::kParameterError);
  return false;
}

}  // namespace

void PseriesMachine::register_machine_hypercalls() {
  const auto add = [this](std::uint64_t number, HypercallHandler handler) {
    hypercalls_.add(number, std::move(handler));
  };
  add(hcall::kPutTermChar, [this](HypercallCall& call) { return vty_->put_chars(call); });
  add(hcall::kGetTermChar, [this](HypercallCall& call) { return vty_->get_chars(call); });
  add(Rtas::kHypercall, [this](HypercallCall& call) { return rtas_->hypercall(call); });
  hpt_hypercalls_->register_with(add);
  phb_->dma_window().register_with(add);

  add(hcall::kXirr, [this](HypercallCall& call) {
    call.outputs[0] = xics_->accept(call.vcpu);
    call.output_count = 1;
    return papr::kSuccess;
  });
  add(hcall::kEoi, [this](HypercallCall& call) {
    xics_->end_of_interrupt(call.vcpu, static_cast<std::uint32_t>(call.args[0]));
    return papr::kSuccess;
  });
  add(hcall::kCppr, [this](HypercallCall& call) {
    xics_->set_priority(call.vcpu, static_cast<std::uint8_t>(call.args[0]));
    return papr::kSuccess;
  });
  add(hcall::kIpi, [this](HypercallCall& call) {
    if (!xics_->valid_server(call.args[0])) return papr::kParameter;
    xics_->set_ipi(static_cast<std::uint32_t>(call.args[0]), static_cast<std::uint8_t>(call.args[1]));
    return papr::kSuccess;
  });
  add(hcall::kIpoll, [this](HypercallCall& call) {
    if (!xics_->valid_server(call.args[0])) return papr::kParameter;
    const auto [xirr, mfrr] = xics_->poll(static_cast<std::uint32_t>(call.args[0]));
    call.outputs[0] = xirr;
    call.outputs[1] = mfrr;
    call.output_count = 2;
    return papr::kSuccess;
  });
  add(hcall::kSetMode, [this](HypercallCall& call) {
    const std::uint64_t mode = call.args[0];
    const std::uint64_t resource = call.args[1];
    if (resource != kSetModeEndianness && resource != kSetModeInterruptAddressMode) return kBadParameter2;
    if (call.args[2] != 0) return kBadParameter3;
    if (call.args[3] != 0) return kBadParameter4;
    std::uint64_t mask = 0;
    std::uint64_t value = 0;
    if (resource == kSetModeEndianness) {
      if (mode > 1) return kUnsupportedFlag;
      mask = ppc::lpcr::kInterruptLittleEndian;
      value = mode ? ppc::lpcr::kInterruptLittleEndian : 0;
    } else {
      if (mode == 1 || mode > 3) return kUnsupportedFlag;  // AIL = 1 is reserved
      mask = std::uint64_t{3} << kLpcrAilShift;
      value = mode << kLpcrAilShift;
    }
    threads_->change_all(call.vcpu, [mask, value](Vcpu& vcpu) {
      ppc::Registers registers = vcpu.registers();
      registers.lpcr = (registers.lpcr & ~mask) | value;
      vcpu.set_registers(registers);
    });
    return papr::kSuccess;
  });
  register_vcpu_hypercalls();
  register_memory_hypercalls();
}

void PseriesMachine::register_rtas_functions() {
  const auto status = [](RtasCall& call, std::int32_t value) { call.rets[0] = static_cast<std::uint32_t>(value); };

  rtas_->add("power-off", [this, status](RtasCall& call) {
    status(call, rtas_status::kSuccess);
    threads_->shutdown({RunOutcome::Kind::power_off, "RTAS power-off"});
  });
  rtas_->add("system-reboot", [this, status](RtasCall& call) {
    status(call, rtas_status::kSuccess);
    // The run ends either way; run() boots again when the options say so.
    if (threads_->shutdown({RunOutcome::Kind::power_off, "the guest asked for a reboot (RTAS system-reboot)"})) {
      reboot_requested_ = true;
    }
  });
  rtas_->add("ibm,os-term", [this, status](RtasCall& call) {
    if (!has_counts(call, 1, 1)) return;
    std::string message;
    for (std::uint64_t address = call.args[0]; message.size() < kMaxOsTermMessage; ++address) {
      std::byte byte{};
      if (!memory().read(address, std::span(&byte, 1)) || byte == std::byte{0}) break;
      message.push_back(static_cast<char>(byte));
    }
    status(call, rtas_status::kSuccess);
    threads_->shutdown({RunOutcome::Kind::guest_panic, message});
  });
  rtas_->add("display-character", [this, status](RtasCall& call) {
    if (!has_counts(call, 1, 1)) return;
    const auto byte = static_cast<std::byte>(call.args[0]);
    host_.console().write(std::span(&byte, 1));
    status(call, rtas_status::kSuccess);
  });
  // Guest time, for the clock in deterministic mode: the caller's
  // timebase (the clock ignores it otherwise).
  const auto guest_timebase = [this](const RtasCall& call) { return vcpus_[call.vcpu]->registers().tb; };
  rtas_->add("set-time-of-day", [this, status, guest_timebase](RtasCall& call) {
    if (!has_counts(call, 7, 1)) return;
    // The time becomes nanoseconds (64 bits: about 292 years from 1970) and
    // the year an int: a year far out is refused rather than overflowing
    // either (found by fuzzing).
    if (call.args[0] < kEarliestYear || call.args[0] > kLatestYear) return status(call, rtas_status::kParameterError);
    if (call.args[1] < 1 || call.args[1] > 12 || call.args[2] < 1 || call.args[2] > 31 || call.args[3] > 23 ||
        call.args[4] > 59 || call.args[5] > 60 || call.args[6] >= kNanosecondsPerSecond) {
      return status(call, rtas_status::kParameterError);
    }
    std::tm requested{};
    requested.tm_year = static_cast<int>(call.args[0]) - 1900;
    requested.tm_mon = static_cast<int>(call.args[1]) - 1;
    requested.tm_mday = static_cast<int>(call.args[2]);
    requested.tm_hour = static_cast<int>(call.args[3]);
    requested.tm_min = static_cast<int>(call.args[4]);
    requested.tm_sec = static_cast<int>(call.args[5]);
    const std::int64_t seconds = timegm(&requested);
    rtc_->set(seconds * kNanosecondsPerSecond + call.args[6], guest_timebase(call));
    status(call, rtas_status::kSuccess);
  });
  rtas_->add("get-time-of-day", [this, status, guest_timebase](RtasCall& call) {
    if (!has_counts(call, 0, 8)) return;
    const std::int64_t now = rtc_->now(guest_timebase(call));
    // Floor division: a clock set before 1970 still splits correctly.
    std::int64_t seconds = now / kNanosecondsPerSecond;
    std::int64_t nanoseconds = now % kNanosecondsPerSecond;
    if (nanoseconds < 0) {
      nanoseconds += kNanosecondsPerSecond;
      --seconds;
    }
    const auto time = static_cast<std::time_t>(seconds);
    std::tm fields{};
    gmtime_r(&time, &fields);
    status(call, rtas_status::kSuccess);
    call.rets[1] = static_cast<std::uint32_t>(fields.tm_year + 1900);
    call.rets[2] = static_cast<std::uint32_t>(fields.tm_mon + 1);
    call.rets[3] = static_cast<std::uint32_t>(fields.tm_mday);
    call.rets[4] = static_cast<std::uint32_t>(fields.tm_hour);
    call.rets[5] = static_cast<std::uint32_t>(fields.tm_min);
    call.rets[6] = static_cast<std::uint32_t>(fields.tm_sec);
    call.rets[7] = static_cast<std::uint32_t>(nanoseconds);
  });
  rtas_->add("event-scan", [](RtasCall& call) {
    constexpr std::int32_t kNoErrorsFound = 1;
    call.rets[0] = kNoErrorsFound;
  });
  // The only exception ever reported is a shutdown request (EPOW).
  rtas_->add("check-exception", [this, status](RtasCall& call) {
    status(call, epow_->check_exception(call.args, [this](std::uint64_t address, std::span<const std::byte> log) {
      return memory().write(address, log);
    }));
  });
  // No system parameters (SPLPAR characteristics, ...) are offered.
  rtas_->add("ibm,get-system-parameter", [status](RtasCall& call) {
    constexpr std::int32_t kParameterNotSupported = -3;
    status(call, kParameterNotSupported);
  });
  rtas_->add("query-cpu-stopped-state", [this, status](RtasCall& call) {
    if (!has_counts(call, 1, 2)) return;
    if (call.args[0] >= vcpus_.size()) return status(call, rtas_status::kParameterError);
    status(call, rtas_status::kSuccess);
    call.rets[1] = threads_->started(call.args[0]) ? kCpuRunning : kCpuStopped;
  });
  rtas_->add("start-cpu", [this, status](RtasCall& call) {
    if (!has_counts(call, 3, 1)) return;
    const std::size_t target = call.args[0];
    if (target >= vcpus_.size()) return status(call, rtas_status::kParameterError);
    if (threads_->started(target)) return status(call, rtas_status::kHardwareError);
    // The stopped vCPU's thread is parked, so its registers may be set here.
    Vcpu& vcpu = *vcpus_[target];
    ppc::Registers registers = vcpu.registers();
    enter_started_cpu(registers, call.args[1]);
    registers.gpr[3] = call.args[2];
    registers.lpcr = vcpus_[call.vcpu]->registers().lpcr;
    vcpu.set_registers(registers);
    threads_->start(target);
    status(call, rtas_status::kSuccess);
  });
  rtas_->add("stop-self", [this, status](RtasCall& call) {
    threads_->stop_self(call.vcpu);
    status(call, rtas_status::kSuccess);
  });

  const auto valid_source = [this](std::uint32_t source) { return xics_->valid_source(source); };
  rtas_->add("ibm,set-xive", [this, status, valid_source](RtasCall& call) {
    if (!has_counts(call, 3, 1)) return;
    if (!valid_source(call.args[0]) || !xics_->valid_server(call.args[1]) || call.args[2] > 0xff) {
      return status(call, rtas_status::kParameterError);
    }
    xics_->set_xive(call.args[0], call.args[1], static_cast<std::uint8_t>(call.args[2]));
    status(call, rtas_status::kSuccess);
  });
  rtas_->add("ibm,get-xive", [this, status, valid_source](RtasCall& call) {
    if (!has_counts(call, 1, 3)) return;
    if (!valid_source(call.args[0])) return status(call, rtas_status::kParameterError);
    const auto [server, priority] = xics_->get_xive(call.args[0]);
    status(call, rtas_status::kSuccess);
    call.rets[1] = server;
    call.rets[2] = priority;
  });
  rtas_->add("ibm,int-off", [this, status, valid_source](RtasCall& call) {
    if (!has_counts(call, 1, 1)) return;
    if (!valid_source(call.args[0])) return status(call, rtas_status::kParameterError);
    xics_->interrupt_off(call.args[0]);
    status(call, rtas_status::kSuccess);
  });
  rtas_->add("ibm,int-on", [this, status, valid_source](RtasCall& call) {
    if (!has_counts(call, 1, 1)) return;
    if (!valid_source(call.args[0])) return status(call, rtas_status::kParameterError);
    xics_->interrupt_on(call.args[0]);
    status(call, rtas_status::kSuccess);
  });
}

}  // namespace mosaic::pseries
