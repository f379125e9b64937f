"""
Integration tests: boot Keel in QEMU and drive the management terminal
(mterm) over the emulated UART through a pty, with pexpect.

    /usr/bin/python3 -m pytest -q tests/integration

Each test boots its own QEMU (the `keel` fixture; `keel_factory` for other
options) and the whole console transcript goes to
build/test-logs/<test>.log.  QEMU is killed when the test ends, whatever
happened.  Set KEEL_BIN to test another image, KEEL_TIMEOUT_SCALE to
stretch every timeout on a very slow machine.
"""
import os
import re
import shutil
import signal
import time

import pexpect
import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
KEEL_BIN = os.environ.get("KEEL_BIN", os.path.join(ROOT, "build", "keel.bin"))
LOG_DIR = os.path.join(ROOT, "build", "test-logs")
QEMU = "qemu-system-riscv64"
OPENSBI = "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.bin"

_SCALE = float(os.environ.get("KEEL_TIMEOUT_SCALE", "1"))
# Boot to the prompt normally takes < 1 s; a loaded 2-core machine running
# TCG with 4 vCPUs can be much slower, so every wait is generous.
BOOT_TIMEOUT = 30 * _SCALE
CMD_TIMEOUT = 20 * _SCALE
EXIT_TIMEOUT = 30 * _SCALE

PROMPT = "keel# "
# The prompt as printed at the start of a line.  The line editor also
# repaints it after "\r" (history recall, completion lists): those repaints
# must not end a command's output, so only "\nkeel# " counts.
PROMPT_RE = re.compile(rb"\nkeel# ")
BANNER_RE = re.compile(rb"Keel (\S+): RISC-V hypervisor, booting on hart (\d+)")
ONLINE_RE = re.compile(rb"Keel: (\d+) of (\d+) harts online, (\S+) paging, timer (\S+), console (\S+)")


def pytest_sessionstart(session):
    problems = []
    if not os.path.isfile(KEEL_BIN):
        problems.append(f"{KEEL_BIN} is missing: build Keel first (`make`)")
    if not shutil.which(QEMU):
        problems.append(f"{QEMU} is not installed (tools/install-deps)")
    if not os.path.isfile(OPENSBI):
        problems.append(f"{OPENSBI} is missing (Debian package opensbi)")
    if problems:
        pytest.exit("Keel integration tests cannot run:\n  " + "\n  ".join(problems), returncode=1)


def _decode(data):
    if isinstance(data, bytes):
        data = data.decode("utf-8", errors="replace")
    return data.replace("\r", "")


class _Transcript:
    """pexpect logfile: the console output goes to the log file and memory."""

    def __init__(self, path, header):
        self.file = open(path, "ab")
        self.file.write(header.encode())
        self.file.flush()
        self.data = bytearray()

    def write(self, b):
        self.data += b
        self.file.write(b)

    def flush(self):
        self.file.flush()

    def close(self):
        self.file.close()


class Keel:
    """One QEMU running Keel, driven through its serial console."""

    def __init__(self, kernel, log_path, smp=4, memory="512M", cpu="rv64", extra_args=()):
        self.kernel = kernel
        self.log_path = log_path
        self.smp = smp
        self.memory = memory
        self.cpu = cpu
        self.extra_args = list(extra_args)
        self.proc = None
        self.transcript = None
        self.exitstatus = None
        self.signalstatus = None
        self.version = None
        self.boot_hart = None
        self.online = None  # (harts online, harts in the device tree)

    @property
    def args(self):
        return ["-M", "virt", "-cpu", self.cpu, "-m", str(self.memory), "-smp", str(self.smp),
                "-nographic", "-bios", OPENSBI, "-kernel", self.kernel] + self.extra_args

    @property
    def memory_mib(self):
        m = re.fullmatch(r"(\d+)([MG]?)", str(self.memory))
        assert m, f"cannot parse memory size {self.memory!r}"
        return int(m.group(1)) * (1024 if m.group(2) == "G" else 1)

    # ------------------------------------------------------------ lifecycle
    def start(self, wait_prompt=True):
        assert self.proc is None, "already started"
        header = f"\n==== {time.strftime('%H:%M:%S')} {QEMU} {' '.join(self.args)}\n"
        self.transcript = _Transcript(self.log_path, header)
        self.proc = pexpect.spawn(QEMU, self.args, timeout=CMD_TIMEOUT, encoding=None,
                                  maxread=65536, dimensions=(50, 400))
        self.proc.logfile_read = self.transcript
        if wait_prompt:
            self.wait_boot()
        return self

    def wait_boot(self, timeout=BOOT_TIMEOUT):
        """Wait for the banner, the harts-online line and the first prompt."""
        self.expect(BANNER_RE, timeout, "Keel's banner")
        self.version = self.proc.match.group(1).decode()
        self.boot_hart = int(self.proc.match.group(2))
        self.expect(ONLINE_RE, timeout, "the 'harts online' line")
        self.online = (int(self.proc.match.group(1)), int(self.proc.match.group(2)))
        self.expect(PROMPT_RE, timeout, "the first prompt")

    def kill(self):
        """Make sure QEMU is gone; record how it ended."""
        p = self.proc
        if p is None:
            return
        try:
            if p.isalive():
                for sig in (signal.SIGTERM, signal.SIGKILL):
                    try:
                        p.kill(sig)
                    except OSError:
                        break
                    deadline = time.time() + 5
                    while p.isalive() and time.time() < deadline:
                        time.sleep(0.05)
                    if not p.isalive():
                        break
            p.close(force=True)
        except Exception:
            pass
        if self.exitstatus is None and self.signalstatus is None:
            self.exitstatus, self.signalstatus = p.exitstatus, p.signalstatus
        if self.transcript:
            self.transcript.write(f"\n==== QEMU ended: exit status {self.exitstatus}, "
                                  f"signal {self.signalstatus}\n".encode())
            self.transcript.close()

    # ------------------------------------------------------------ console
    @property
    def output(self):
        """Everything the console printed so far, \\r removed."""
        return _decode(bytes(self.transcript.data))

    def _fail(self, what, timeout, exc):
        tail = _decode(bytes(self.transcript.data[-3000:]))
        kind = "QEMU exited" if isinstance(exc, pexpect.EOF) else f"timed out after {timeout:.0f} s"
        pytest.fail(f"waiting for {what}: {kind}\n(log: {self.log_path})\n"
                    f"---- last console output ----\n{tail}", pytrace=False)

    def expect(self, pattern, timeout=CMD_TIMEOUT, what=None):
        """Wait for a regex (bytes or str) or a literal; returns the bytes before it."""
        if isinstance(pattern, str):
            pattern = re.compile(re.escape(pattern.encode()))
        try:
            self.proc.expect(pattern, timeout=timeout)
        except (pexpect.TIMEOUT, pexpect.EOF) as e:
            self._fail(what or repr(pattern.pattern), timeout, e)
        return self.proc.before

    def send(self, data):
        """Send bytes to Keel's UART exactly as given.

        With -nographic, QEMU multiplexes its monitor onto stdio and takes
        Ctrl-A as an escape key (Ctrl-A x quits QEMU, Ctrl-A b sends a
        break...).  Ctrl-A Ctrl-A delivers one Ctrl-A, so every 0x01 is
        doubled here and the guest sees the bytes unchanged."""
        if isinstance(data, str):
            data = data.encode()
        self.proc.send(data.replace(b"\x01", b"\x01\x01"))

    def type(self, data, chunk=64):
        """Send bytes like a fast typist: in chunks, with pexpect's short
        pause (delaybeforesend, 50 ms) before each.  send() pushes
        everything at once, like a paste."""
        if isinstance(data, str):
            data = data.encode()
        for i in range(0, len(data), chunk):
            self.send(data[i:i + chunk])

    def sync(self, timeout=CMD_TIMEOUT):
        """Leave the terminal at a fresh prompt after output that came at
        any time (a guest's lines, a command's prompt): echoes a marker and
        waits for its output line and the prompt after it."""
        self._syncs = getattr(self, "_syncs", 0) + 1
        marker = f"sync-{self._syncs}"
        self.send(f"echo {marker}\r")
        self.expect(re.compile(rf"\n{marker}\r*\nkeel# ".encode()), timeout, "the sync marker")

    def read_until_prompt(self, timeout=CMD_TIMEOUT):
        """The text up to the next prompt (\\r stripped, no trailing newline)."""
        return _decode(self.expect(PROMPT_RE, timeout, "the prompt"))

    def run_raw(self, data, timeout=CMD_TIMEOUT, paste=False):
        """Type raw bytes (ending with Enter) and return (echo, output).

        echo is the first line the terminal showed (the edited line, with
        its escape sequences); output is everything after it up to the
        next prompt, without \\r and without the final newline.  paste=True
        sends all bytes in one burst instead of typing them."""
        if paste:
            self.send(data)
        else:
            self.type(data)
        text = self.read_until_prompt(timeout)
        echo, _, out = text.partition("\n")
        return echo, out

    def cmd(self, line, timeout=CMD_TIMEOUT):
        """Type one command line, press Enter, return its output."""
        assert "\r" not in line and "\n" not in line
        echo, out = self.run_raw(line.encode() + b"\r", timeout)
        if line.isprintable() and len(line) <= 256:
            assert echo == line, f"terminal echoed {echo!r} for {line!r}"
        return out

    def lines(self, line, timeout=CMD_TIMEOUT):
        out = self.cmd(line, timeout)
        return out.split("\n") if out else []

    def memory_in_use(self):
        """`heap info`'s free pages and heap blocks in use, after its integrity check: equal
        before and after what must give back all it took."""
        out = self.cmd("heap info")
        assert "integrity: ok" in out, out
        return (re.search(r"pages: total \d+, free (\d+)", out).group(1),
                re.search(r"(\d+) blocks in use", out).group(1))

    def wait_exit(self, timeout=EXIT_TIMEOUT):
        """Wait until QEMU exits by itself; returns (exitstatus, signalstatus).

        Fails the test (and kills QEMU) when it is still running after
        timeout seconds."""
        self.expect(pexpect.EOF, timeout, "QEMU to exit by itself")
        self.proc.wait()
        self.exitstatus, self.signalstatus = self.proc.exitstatus, self.proc.signalstatus
        return self.exitstatus, self.signalstatus


def _log_name(nodeid_name):
    return re.sub(r"[^A-Za-z0-9_.=-]+", "-", nodeid_name).strip("-")


def native_qemu(request, kernel, smp, append, typed=(), timeout=60):
    """@kernel on QEMU + OpenSBI, no Keel, until QEMU exits: (exit status, console output,
    \\r removed).  typed: (prompt, line) pairs, each line typed after its prompt."""
    os.makedirs(LOG_DIR, exist_ok=True)
    log = open(os.path.join(LOG_DIR, _log_name(request.node.name) + ".log"), "wb")
    p = pexpect.spawn(QEMU, ["-M", "virt", "-cpu", "rv64", "-m", "256M", "-smp", str(smp),
                             "-nographic", "-bios", OPENSBI, "-kernel", kernel,
                             "-append", append], timeout=timeout)
    p.logfile_read = log
    out = b""
    try:
        for prompt, line in typed:
            p.expect_exact(prompt)
            out += p.before + p.after
            p.send(line)
        p.expect(pexpect.EOF)
        out += p.before
        p.wait()
    finally:
        p.close(force=True)
        log.close()
    return p.exitstatus, _decode(out)


@pytest.fixture(scope="session")
def keel_kernel(tmp_path_factory):
    """A private copy of keel.bin: a rebuild during the run cannot change it."""
    dst = tmp_path_factory.mktemp("keel") / "keel.bin"
    shutil.copyfile(KEEL_BIN, dst)
    return str(dst)


@pytest.fixture
def keel_factory(request, keel_kernel):
    """keel_factory(smp=, memory=, cpu=, extra_args=, wait_prompt=) -> started Keel.

    Every QEMU started by the test logs to build/test-logs/<test>.log and is
    killed at the end of the test."""
    os.makedirs(LOG_DIR, exist_ok=True)
    log_path = os.path.join(LOG_DIR, _log_name(request.node.name) + ".log")
    if os.path.exists(log_path):
        os.unlink(log_path)
    started = []

    def start(smp=4, memory="512M", cpu="rv64", extra_args=(), wait_prompt=True):
        k = Keel(keel_kernel, log_path, smp=smp, memory=memory, cpu=cpu, extra_args=extra_args)
        started.append(k)
        return k.start(wait_prompt=wait_prompt)

    yield start
    for k in started:
        k.kill()


@pytest.fixture
def keel(request, keel_factory):
    """A booted Keel at its prompt.  A test parametrized over 'smp' and/or
    'memory' gets that machine; the default is -smp 4 -m 512M."""
    def arg(name, default):
        return request.getfixturevalue(name) if name in request.fixturenames else default

    return keel_factory(smp=arg("smp", 4), memory=arg("memory", "512M"))
