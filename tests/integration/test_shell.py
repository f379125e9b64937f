"""The management terminal: commands, their output, bad input, line editing."""
import re
import time

import pytest

# -smp 1 and -smp 4, each with its own RAM size so the memory figures are
# checked against the machine too.
MACHINES = pytest.mark.parametrize("smp,memory", [
    pytest.param(1, "256M", id="smp1"),
    pytest.param(4, "512M", id="smp4"),
])

COMMANDS = ["debug", "echo", "guest", "heap", "help", "host", "pkg", "reset", "sched", "shutdown", "thread",
            "uptime", "vcpu", "version", "vserial"]

ESC = b"\x1b"
LEFT = ESC + b"[D"
UP = ESC + b"[A"
DOWN = ESC + b"[B"
DEL = b"\x7f"


def one_error(out):
    """The output is exactly one line starting 'error: '; returns it."""
    lines = out.split("\n") if out else []
    assert len(lines) == 1 and lines[0].startswith("error: "), \
        f"expected exactly one 'error: ...' line, got {lines!r}"
    return lines[0]


def assert_alive(keel):
    out = keel.cmd("version")
    assert re.fullmatch(r"Keel \S+ \(RISC-V hypervisor\), built with gcc \S+", out), \
        f"the shell does not work any more: 'version' printed {out!r}"


def table(lines, header):
    """Check a table's header line; return its rows, split into columns."""
    assert lines and lines[0].split() == header, f"table header {lines[:1]!r}, expected {header}"
    return [ln.split() for ln in lines[1:]]


# ------------------------------------------------------------------ boot
@MACHINES
def test_boot_reaches_prompt(keel, smp, memory):
    assert keel.online == (smp, smp), f"harts online line says {keel.online}"
    assert 0 <= keel.boot_hart < smp
    assert re.fullmatch(r"\d+\.\d+\.\d+\S*", keel.version)
    assert f"Keel: {smp} of {smp} harts online" in keel.output
    assert "panic" not in keel.output.lower()
    # An empty line just gives the prompt back.
    assert keel.cmd("") == ""
    assert keel.cmd("   ") == ""


# ------------------------------------------------------------------ help
def test_help_lists_every_command(keel):
    lines = keel.lines("help")
    assert lines[0] == "Commands (help <command> for details):"
    listed = {}
    for ln in lines[1:]:
        m = re.fullmatch(r"  (\S+) +(\S.*)", ln)
        assert m, f"bad help line {ln!r}"
        listed[m.group(1)] = m.group(2)
    assert sorted(listed) == sorted(COMMANDS), "help lists other commands than expected"
    assert len(lines) - 1 == len(listed), "a command is listed twice"
    # Every listed command has its own help.
    for name in listed:
        out = keel.lines(f"help {name}")
        assert out and not out[0].startswith("error"), f"help {name}: {out!r}"
        assert out[0].startswith(name), f"help {name}: {out!r}"
        assert listed[name] in "\n".join(out), f"help {name} lacks the summary {listed[name]!r}"


def test_help_host_shows_subcommands(keel):
    lines = keel.lines("help host")
    assert lines[0] == "host: host hardware"
    subs = [ln.strip() for ln in lines[1:] if ln.startswith("  host ")]
    assert subs == ["host info", "host cpu", "host irq [list | affinity <irq> <hart>]"], lines
    # Each subcommand is followed by an indented description.
    for i, ln in enumerate(lines[1:], 1):
        if ln.startswith("  host "):
            assert lines[i + 1].startswith("      ") and lines[i + 1].strip(), lines


def test_help_plain_command(keel):
    assert keel.lines("help version") == ["version", "    show Keel's version"]
    assert keel.lines("help echo") == ["echo [text...]", "    print the arguments"]


# ------------------------------------------------------------------ simple commands
def test_version(keel):
    out = keel.cmd("version")
    m = re.fullmatch(r"Keel (\S+) \(RISC-V hypervisor\), built with gcc (\S+)", out)
    assert m, out
    assert m.group(1) == keel.version, "version differs from the boot banner"


@pytest.mark.parametrize("line,expected", [
    ("echo hello world", "hello world"),
    ("echo   spaced    out   ", "spaced out"),
    ('echo "a  b" c', "a  b c"),
    ('echo a"b c"d', "ab cd"),
    ('echo "say \\"hi\\""', 'say "hi"'),
    ('echo "back\\\\slash"', "back\\slash"),
    ('echo ""', ""),
    ("echo", ""),
    ("echo 'single' quotes", "'single' quotes"),
])
def test_echo(keel, line, expected):
    assert keel.cmd(line) == expected


@MACHINES
def test_host_info(keel, smp, memory):
    out = keel.cmd("host info")
    lines = out.split("\n")
    assert not any(ln.startswith("error") for ln in lines), out

    m = re.search(r"^harts: (\d+) online, (\d+) in device tree, boot hart (\d+)$", out, re.M)
    assert m, out
    assert (int(m.group(1)), int(m.group(2))) == (smp, smp)
    assert f"harts: {smp} online, {smp} in device tree" in out
    assert int(m.group(3)) == keel.boot_hart

    m = re.search(r"^isa: (rv64[a-z]+)(_\S+)?$", out, re.M)
    assert m, out
    assert "h" in m.group(1)[4:], f"ISA {m.group(1)} lacks the H extension"

    m = re.search(r"^mmu: (\S+), HS page table (\d+) pages$", out, re.M)
    assert m and m.group(1) in ("sv39", "sv48", "sv57"), out
    assert int(m.group(2)) >= 2, out

    m = re.search(r"^g-stage: (.+), vmid bits (\d+)$", out, re.M)
    assert m, out
    modes = m.group(1).split()
    assert modes and set(modes) <= {"sv39x4", "sv48x4", "sv57x4"}, m.group(1)
    assert "sv39x4" in modes  # the H extension requires Sv39x4
    assert 0 <= int(m.group(2)) <= 14

    m = re.search(r"^memory: (\d+) MiB RAM, (\d+) MiB free$", out, re.M)
    assert m, out
    assert int(m.group(1)) == keel.memory_mib, f"RAM size differs from -m {memory}"
    assert 0 < int(m.group(2)) <= int(m.group(1))

    m = re.search(r"^  ram +([0-9a-f]{16})-([0-9a-f]{16})$", out, re.M)
    assert m, out
    assert int(m.group(2), 16) - int(m.group(1), 16) + 1 == keel.memory_mib << 20
    assert re.search(r"^  reserved +[0-9a-f]{16}-[0-9a-f]{16} keel$", out, re.M), out
    assert re.search(r"^timer: \S+, timebase \d+ Hz$", out, re.M), out
    assert re.search(r"^sbi: OpenSBI \d+\.\d+, spec \d+\.\d+$", out, re.M), out
    assert re.search(r"^device: ns16550 \S+$", out, re.M), out


@MACHINES
def test_host_cpu(keel, smp, memory):
    rows = table(keel.lines("host cpu"),
                 ["HART", "HARTID", "STATE", "CURRENT", "IRQS", "TIMER", "IPI", "EXT"])
    assert len(rows) == smp, rows
    assert [int(r[0]) for r in rows] == list(range(smp))
    assert sorted(int(r[1]) for r in rows) == list(range(smp))
    for r in rows:
        assert len(r) == 8, r
        assert r[2] == "online", f"hart {r[0]} is {r[2]}"
        assert all(x.isdigit() for x in r[4:]), r
    current = sorted(r[3] for r in rows)
    # The command runs in mterm; every other hart is in its idle thread.
    assert current.count("mterm") == 1, current
    for r in rows:
        assert r[3] in ("mterm", f"idle/{r[0]}"), r


@MACHINES
def test_heap_info(keel, smp, memory):
    lines = keel.lines("heap info")
    assert len(lines) == 5, lines
    m = re.fullmatch(r"heap: total (\d+) bytes, used (\d+), free (\d+), largest free (\d+)",
                     lines[0])
    assert m, lines[0]
    total, used, free, largest = map(int, m.groups())
    assert total > 0 and used + free <= total and largest <= free
    m = re.fullmatch(r"heap: (\d+) allocations, (\d+) frees, (\d+) failures, (\d+) blocks in use",
                     lines[1])
    assert m, lines[1]
    allocs, frees, failures, blocks = map(int, m.groups())
    assert allocs - frees == blocks and failures == 0
    m = re.fullmatch(r"pages: total (\d+), free (\d+) \((\d+) KiB\), free at boot (\d+)", lines[2])
    assert m, lines[2]
    pages, free_pages, free_kib, free_boot = map(int, m.groups())
    assert pages == keel.memory_mib * 256, f"page count for -m {memory}"
    assert 0 < free_pages <= free_boot <= pages
    assert free_kib == free_pages * 4
    assert re.fullmatch(r"free blocks by order:( \d+:\d+)+", lines[3]), lines[3]
    # The per-order counts add up to the free pages.
    assert sum(int(c) << int(o) for o, c in re.findall(r" (\d+):(\d+)", lines[3])) == free_pages
    assert lines[4] == "integrity: ok"


@MACHINES
def test_thread_list(keel, smp, memory):
    rows = table(keel.lines("thread list"),
                 ["ID", "NAME", "KIND", "HART", "PRIO", "STATE", "RUNTIME_US", "SWITCHES"])
    names = [r[1] for r in rows]
    assert sorted(names) == sorted(["mterm"] + [f"idle/{i}" for i in range(smp)]), names
    ids = [int(r[0]) for r in rows]
    assert len(set(ids)) == len(ids), f"duplicate thread ids {ids}"
    for r in rows:
        assert len(r) == 8, r
        if r[1].startswith("idle/"):
            assert int(r[3]) == int(r[1][5:]), f"{r[1]} is on hart {r[3]}"
            assert r[4] == "-"
        else:
            assert r[4].isdigit()
            assert r[5] == "running", f"mterm is {r[5]} while it runs this command"
        assert int(r[3]) < smp


@MACHINES
def test_sched_info(keel, smp, memory):
    lines = keel.lines("sched info")
    rows = table(lines[:smp + 1], ["HART", "HARTID", "POLICY", "CURRENT", "RUNNABLE", "SWITCHES",
                                   "IDLE_MS", "BUSY%"])
    assert [int(r[0]) for r in rows] == list(range(smp))
    assert [r[3] for r in rows].count("mterm") == 1, rows
    for r in rows:
        assert r[2] == "prio-rr", r
        assert r[3] in ("mterm", f"idle/{r[0]}"), r
        assert all(x.isdigit() for x in r[4:]), r
    # One line per hart on its policy, then every VCPU but the idle ones: mterm.
    assert lines[smp + 1:2 * smp + 1] == [
        f"hart {i}: prio-rr (fixed-priority round-robin): 8 priority levels, no reservations"
        for i in range(smp)]
    vcpus = table(lines[2 * smp + 1:], ["ID", "NAME", "HART", "CLASS", "PRIO", "SLICE_US",
                                        "BUDGET_US", "PERIOD_US", "RUNTIME_MS", "USED_MS",
                                        "PERIODS", "OVERRUNS", "MISSES", "SWITCHES",
                                        "MIGRATIONS"])
    assert [(r[1], r[3], r[4], r[5], r[6], r[7]) for r in vcpus] == \
        [("mterm", "bg", "2", "10000", "-", "-")]


@MACHINES
def test_uptime_increases(keel, smp, memory):
    pat = r"up (\d+)\.(\d{3}) s \(boot to shell took (\d+) ms\)"

    def uptime():
        out = keel.cmd("uptime")
        m = re.fullmatch(pat, out)
        assert m, out
        return int(m.group(1)) * 1000 + int(m.group(2)), int(m.group(3))

    t1, boot1 = uptime()
    time.sleep(0.3)
    t2, boot2 = uptime()
    assert t2 > t1, f"uptime went from {t1} ms to {t2} ms"
    assert t2 - t1 >= 250, f"only {t2 - t1} ms of uptime passed in 300 ms"
    assert boot1 == boot2 and boot1 <= t1


# ------------------------------------------------------------------ bad input
BAD_INPUT = [
    ("frobnicate", "error: unknown command 'frobnicate' (try 'help')"),
    ("frobnicate --all the things", "error: unknown command 'frobnicate' (try 'help')"),
    ("host frob", "error: host: unknown subcommand 'frob' (info, cpu, irq)"),
    ("host", "error: host: missing subcommand (info, cpu, irq)"),
    ("thread", "error: thread: missing subcommand (list)"),
    ("version extra", "error: usage: version"),
    ("host info extra", "error: usage: host info"),
    ("uptime now", "error: usage: uptime"),
    ("shutdown now", "error: usage: shutdown"),
    ("reset now", "error: usage: reset"),
    ("help a b", "error: usage: help [command]"),
    ("help frob", "error: help: unknown command 'frob'"),
    ('echo "unterminated', "error: unterminated quote"),
    ('host "info', "error: unterminated quote"),
    ("debug fault", "error: usage: debug fault load|store|illegal|stack|panic|sleep-in-irq"),
    ("debug fault bogus", None),
    ("echo " + " ".join(["x"] * 32), "error: too many arguments (max 32)"),
]


@MACHINES
@pytest.mark.parametrize("line,error", BAD_INPUT,
                         ids=[re.sub(r"\W+", "_", b[0])[:24] for b in BAD_INPUT])
def test_bad_input(keel, smp, memory, line, error):
    got = one_error(keel.cmd(line))
    if error:
        assert got == error
    assert_alive(keel)


def test_max_arguments_accepted(keel):
    words = [f"w{i}" for i in range(31)]
    assert keel.cmd("echo " + " ".join(words)) == " ".join(words)


@MACHINES
def test_overlong_line(keel, smp, memory):
    echo, out = keel.run_raw(b"x" * 300 + b"\r")
    assert one_error(out) == "error: line too long (max 256 characters)"
    assert_alive(keel)
    # Nothing of the refused line is left over for the next one.
    assert keel.cmd("echo after") == "after"


@MACHINES
def test_pasted_input_is_not_lost(keel, smp, memory):
    """Input sent in one burst (a paste) must not lose bytes: QEMU's UART
    back-pressures the sender, so Keel sees every byte.  Repeated, because
    a lost byte only shows up now and then."""
    for i in range(8):
        echo, out = keel.run_raw(b"x" * 300 + b"\r", paste=True)
        assert out == "error: line too long (max 256 characters)", \
            f"burst {i}: a pasted 300-char line + Enter printed {out!r}"
        line = "echo " + " ".join(f"word{j:03d}" for j in range(28))  # 200 chars
        echo, out = keel.run_raw(line.encode() + b"\r", paste=True)
        assert out == line[5:], f"burst {i}: pasted 200-char echo printed {out!r}"
    assert_alive(keel)


def test_line_length_limit_is_exact(keel):
    # 256 characters are accepted, 257 are not.
    line = "echo " + "y" * 251
    assert keel.cmd(line) == "y" * 251
    echo, out = keel.run_raw(line.encode() + b"z\r")
    assert one_error(out) == "error: line too long (max 256 characters)"
    assert_alive(keel)


GARBAGE = b"\x01\x02\x1b[99~\xff\xfe\x1b["


@MACHINES
def test_garbage_bytes_ignored(keel, smp, memory):
    # Control bytes, an unknown CSI key and non-ASCII bytes insert nothing;
    # the unfinished CSI at the end is cut off by Enter: an empty line.
    echo, out = keel.run_raw(GARBAGE + b"\r")
    assert out == "", f"garbage + Enter printed {out!r}"
    assert_alive(keel)


@MACHINES
def test_garbage_then_command(keel, smp, memory):
    # The same bytes without the unfinished CSI, then a command on the
    # same line: the command runs as if typed alone.
    echo, out = keel.run_raw(GARBAGE[:-2] + b"echo still here\r")
    assert out == "still here"
    # An unfinished CSI swallows the next byte as its final byte (ECMA-48):
    # at most one error line, and the shell goes on.
    echo, out = keel.run_raw(GARBAGE + b"version\r")
    assert out == "" or one_error(out)
    assert_alive(keel)


def test_long_garbage_csi(keel):
    # An over-long CSI sequence with huge parameters is swallowed whole.
    echo, out = keel.run_raw(b"\x1b[" + b"9" * 40 + b";" + b"7" * 40 + b"A" + b"echo ok\r")
    assert out == "ok"
    assert_alive(keel)


# ------------------------------------------------------------------ line editing
@pytest.mark.parametrize("keys", [
    # Left-arrow back to just after the X, backspace it, type h.
    b"ecXo hi" + LEFT * 4 + DEL + b"h\r",
    # The same with SS3 arrows and ^H as backspace.
    b"ecXo hi" + b"\x1bOD" * 4 + b"\x08h\r",
    # ^A / ^E: home and end.
    b"cho h" + b"\x01e\x05i\r",
    # Home/End keys, right arrow, and the Delete key.
    b"echoo hi" + b"\x1b[H" + b"\x1b[C" * 4 + b"\x1b[3~" + b"\x1b[F\r",
], ids=["left-backspace", "ss3-ctrl-h", "ctrl-a-ctrl-e", "home-right-delete-end"])
def test_line_editing(keel, keys):
    echo, out = keel.run_raw(keys)
    assert out == "hi", f"edited line printed {out!r} (echo {echo!r})"
    assert_alive(keel)


def test_ctrl_c_discards_line(keel):
    keel.send(b"echo not run\x03")
    text = keel.read_until_prompt()
    assert text.endswith("^C"), text
    assert "not run\n" not in text
    assert_alive(keel)


def test_history(keel):
    assert keel.cmd("echo one") == "one"
    echo, out = keel.run_raw(UP + b"\r")
    assert out == "one", f"up-arrow + Enter printed {out!r}"
    assert keel.cmd("echo two") == "two"
    # Two steps back, one forward: "echo two" again; then further back.
    echo, out = keel.run_raw(UP + UP + DOWN + b"\r")
    assert out == "two"
    echo, out = keel.run_raw(UP + UP + b"\r")
    assert out == "one"
    # Down past the newest entry gives back the line being typed.
    echo, out = keel.run_raw(b"echo new" + UP + DOWN + b"\r")
    assert out == "new"


def test_tab_completion(keel):
    echo, out = keel.run_raw(b"ver\t\r")
    assert re.fullmatch(r"Keel \S+ \(RISC-V hypervisor\), built with gcc \S+", out), out
    assert echo.startswith("version")
    # Completion, then arguments.
    echo, out = keel.run_raw(b"ec\tcompleted\r")
    assert out == "completed"
    # Ambiguous prefix: the candidates are listed and the line is kept.
    keel.send(b"h\t")
    keel.expect("help  host", what="the completion list")
    keel.expect("keel# h", what="the line repainted after the list")
    echo, out = keel.run_raw(b"ost cpu\r")
    assert out.startswith("HART HARTID STATE"), out
    assert_alive(keel)


# ------------------------------------------------------------------ power
@MACHINES
def test_shutdown(keel, smp, memory):
    keel.send("shutdown\r")
    keel.expect("Keel: shutting down")
    status, signal = keel.wait_exit()
    assert signal is None, f"QEMU was killed by signal {signal}"
    assert status == 0, f"QEMU exit status {status} after shutdown"


@MACHINES
def test_reset(keel, smp, memory):
    boots = keel.output.count("RISC-V hypervisor, booting on hart")
    keel.send("reset\r")
    keel.expect("Keel: resetting the system")
    keel.wait_boot()
    assert keel.output.count("RISC-V hypervisor, booting on hart") == boots + 1
    assert keel.online == (smp, smp)
    assert_alive(keel)
    assert keel.lines("thread list")[1:] and len(keel.lines("host cpu")) == smp + 1
