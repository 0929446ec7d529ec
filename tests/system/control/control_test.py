#!/usr/bin/env python3
"""Drives mosaic's control socket the way a program would, with only the
standard socket and json modules: every command, the events, and each kind
of bad request, against Debian's kernel booted to its shell.

    control_test.py MOSAIC SOURCE_DIR
"""
import json
import os
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import time

MOSAIC = sys.argv[1]
CACHE = subprocess.run([os.path.join(sys.argv[2], "scripts", "fetch-guest")], check=True, capture_output=True,
                       text=True).stdout.strip().splitlines()[-1]
TIMEOUT = 600


class Guest:
    """mosaic running Linux, with the console collected on a thread."""

    def __init__(self, work, name, extra_cmdline="", cpus=1, restore=None, devices="", memory="512M"):
        self.socket_path = os.path.join(work, name + ".sock")
        self.config = os.path.join(work, name + ".yaml")
        with open(self.config, "w") as out:
            out.write(f"""machine:
  type: pseries
  memory: {memory}
  cpus: {cpus}
  kernel: {CACHE}/vmlinux
  initrd: {CACHE}/initramfs.cpio.gz
  cmdline: "console=hvc0 quiet {extra_cmdline}"
accel: interp
control: {{socket: {name}.sock}}
{devices}""")
        self.stderr = open(os.path.join(work, name + ".log"), "w+")
        command = [MOSAIC, "run", self.config] + (["--restore", restore] if restore else [])
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.stderr)
        self.console = b""
        self.lock = threading.Lock()
        threading.Thread(target=self._collect, daemon=True).start()

    def _collect(self):
        while True:
            data = self.process.stdout.read1(4096)
            if not data:
                return
            with self.lock:
                self.console += data

    def wait_console(self, text, start=0):
        deadline = time.time() + TIMEOUT
        while time.time() < deadline:
            with self.lock:
                found = self.console.find(text.encode(), start)
            if found >= 0:
                return found + len(text)
            if self.process.poll() is not None:
                break
            time.sleep(0.1)
        fail(f"no '{text}' on the console", self)

    def type(self, line):
        self.process.stdin.write(line.encode() + b"\n")
        self.process.stdin.flush()

    def console_length(self):
        with self.lock:
            return len(self.console)


class Client:
    """One control connection: requests with ids, events kept aside."""

    def __init__(self, path):
        deadline = time.time() + 60
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.sock.connect(path)
                break
            except (FileNotFoundError, ConnectionRefusedError):
                if time.time() > deadline:
                    raise
                time.sleep(0.1)
        self.sock.settimeout(TIMEOUT)
        self.buffer = b""
        self.events = []
        self.next_id = 0
        greeting = self.read()
        check("QMP" in greeting and "version" in greeting["QMP"], f"greeting {greeting}")

    def read(self):
        while b"\n" not in self.buffer:
            data = self.sock.recv(65536)
            if not data:
                raise EOFError("the control socket closed")
            self.buffer += data
        line, self.buffer = self.buffer.split(b"\n", 1)
        return json.loads(line)

    def send_raw(self, data):
        self.sock.sendall(data)

    def reply(self):
        while True:
            message = self.read()
            if "event" in message:
                self.events.append(message)
            else:
                return message

    def execute(self, command, arguments=None):
        self.next_id += 1
        request = {"execute": command, "id": self.next_id}
        if arguments is not None:
            request["arguments"] = arguments
        self.send_raw(json.dumps(request).encode() + b"\n")
        reply = self.reply()
        check(reply.get("id") == self.next_id, f"{command}: reply id {reply}")
        return reply

    def ok(self, command, arguments=None):
        reply = self.execute(command, arguments)
        check("return" in reply, f"{command}: {reply}")
        return reply["return"]

    def error(self, command, arguments=None, error_class="GenericError"):
        reply = self.execute(command, arguments)
        check(reply.get("error", {}).get("class") == error_class, f"{command}: expected {error_class}, got {reply}")

    def wait_event(self, name):
        while True:
            for i, event in enumerate(self.events):
                if event["event"] == name:
                    return self.events.pop(i)
            message = self.read()
            check("event" in message, f"unexpected reply while waiting for {name}: {message}")
            check("seconds" in message.get("timestamp", {}), f"event without a timestamp: {message}")
            self.events.append(message)


def fail(message, guest=None):
    print(f"FAIL: {message}")
    if guest is not None:
        print("--- guest console (end)")
        print(guest.console[-3000:].decode(errors="replace"))
        guest.stderr.seek(0)
        print("--- mosaic log (end)")
        print("".join(guest.stderr.readlines()[-30:]))
    sys.exit(1)


def check(condition, message):
    if not condition:
        fail(message)


def main():
    work = tempfile.mkdtemp()
    guest = Guest(work, "main")
    client = Client(guest.socket_path)
    mode = stat.S_IMODE(os.stat(guest.socket_path).st_mode)
    check(mode == 0o600, f"socket mode {oct(mode)}")
    guest.wait_console("MOSAIC-INIT: up")
    # The quotes keep the echoed command line from matching its output.
    guest.type('echo shell-""ready')
    guest.wait_console("shell-ready")

    status = client.ok("query-status")
    check(status == {"status": "running", "running": True}, f"query-status {status}")
    names = {entry["name"] for entry in client.ok("query-commands")}
    check({"stop", "cont", "quit", "query-vcpus", "system_reset", "system_powerdown"} <= names, f"commands {names}")
    check(client.ok("query-devices") == [], "query-devices on a config without devices")

    vcpus = client.ok("query-vcpus")
    check(len(vcpus) == 1 and vcpus[0]["cpu-index"] == 0 and vcpus[0]["state"] == "running", f"vcpus {vcpus}")
    # Linux runs with translation on and 64-bit, little-endian (MSR IR, DR, SF, LE).
    msr = vcpus[0]["msr"]
    check(msr & (1 << 63) and msr & 0x30 == 0x30 and msr & 1, f"Linux's MSR {msr:#x}")
    check(vcpus[0]["nip"] >= 0xc000000000000000, f"nip {vcpus[0]['nip']:#x} outside the kernel")

    # stop: the guest does nothing while paused, even with input waiting.
    client.ok("stop")
    client.wait_event("STOP")
    check(client.ok("query-status")["status"] == "paused", "not paused after stop")
    check(client.ok("query-vcpus")[0]["state"] == "paused", "vCPU not paused")
    first = client.ok("query-vcpus")[0]["nip"]
    time.sleep(1)
    check(client.ok("query-vcpus")[0]["nip"] == first, "the vCPU moved while paused")
    mark = guest.console_length()
    guest.type('echo after-""pause')
    time.sleep(2)
    check(guest.console_length() == mark, "the guest wrote to its console while paused")
    client.ok("stop")  # a second stop is harmless
    client.ok("cont")
    client.wait_event("RESUME")
    guest.wait_console("after-pause", mark)
    check(client.ok("query-status")["running"] is True, "not running after cont")

    # Bad requests: an error reply each, and the VM runs on.
    client.send_raw(b"this is not json\n")
    check(client.reply()["error"]["class"] == "GenericError", "non-JSON accepted")
    client.send_raw(b"[1, 2]\n")
    check(client.reply()["error"]["class"] == "GenericError", "a JSON array accepted")
    client.send_raw(b'{"arguments": {}}\n')
    check(client.reply()["error"]["class"] == "GenericError", "a request without execute accepted")
    client.error("no-such-command", error_class="CommandNotFound")
    client.error("stop", {"unexpected": 1})
    client.send_raw(json.dumps({"execute": "query-status", "arguments": [1], "id": "x"}).encode() + b"\n")
    reply = client.reply()
    check(reply.get("error", {}).get("class") == "GenericError" and reply.get("id") == "x", f"array arguments {reply}")
    client.send_raw(json.dumps({"execute": 42}).encode() + b"\n")
    check("error" in client.reply(), "a number as the command name accepted")
    client.send_raw(b"x" * (200 * 1024) + b"\n")
    check("longer than" in client.reply()["error"]["desc"], "an oversized line accepted")
    check(client.ok("query-status")["running"] is True, "the VM stopped after bad requests")

    # A second client is served alongside the first, and both get events.
    second = Client(guest.socket_path)
    check(second.ok("query-status")["running"] is True, "second client")
    client.ok("stop")
    second.wait_event("STOP")
    second.ok("cont")
    client.wait_event("RESUME")

    # mosaic ctl, the command-line client.
    ctl = subprocess.run([MOSAIC, "ctl", guest.socket_path, "query-status"], capture_output=True, text=True,
                         timeout=60)
    check(ctl.returncode == 0 and json.loads(ctl.stdout)["status"] == "running", f"mosaic ctl: {ctl}")
    ctl = subprocess.run([MOSAIC, "ctl", guest.socket_path, "no-such-command"], capture_output=True, text=True,
                         timeout=60)
    check(ctl.returncode == 1 and "CommandNotFound" in ctl.stderr, f"mosaic ctl with a bad command: {ctl}")

    # system_reset boots the guest again.
    mark = guest.console_length()
    client.ok("system_reset")
    event = client.wait_event("RESET")
    check(event["data"] == {"guest": False}, f"RESET {event}")
    guest.wait_console("MOSAIC-INIT: up", mark)

    # system_powerdown: the guest shuts down cleanly through EPOW.
    client.ok("system_powerdown")
    client.wait_event("POWERDOWN")
    event = client.wait_event("SHUTDOWN")
    check(event["data"]["reason"] == "shutdown", f"SHUTDOWN {event}")
    status = guest.process.wait(timeout=TIMEOUT)
    if status != 0:
        fail(f"mosaic exited {status} after system_powerdown", guest)
    check(not os.path.exists(guest.socket_path), "the socket file outlived mosaic")

    # quit ends a run at once, with status 0.
    other = Guest(work, "quit")
    client = Client(other.socket_path)
    client.ok("quit")
    event = client.wait_event("SHUTDOWN")
    check(event["data"]["reason"] == "shutdown", f"SHUTDOWN after quit {event}")
    status = other.process.wait(timeout=60)
    check(status == 0, f"mosaic exited {status} after quit")
    print("control socket: every command, events, bad requests, two clients, reset, powerdown, quit")


if __name__ == "__main__":
    main()
