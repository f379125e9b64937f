"""The panic path: `debug fault <kind>` makes Keel fault on purpose.

Each (kind, smp) machine is booted once; its transcript and exit are then
checked by two tests, so a wrong report and a wrong exit status show up
separately.  Also: without the H extension Keel refuses to run.
"""
import os
import re

import pytest

from conftest import EXIT_TIMEOUT, LOG_DIR, Keel

FAULTS = {
    # kind: the text after "Keel panic on hart N: "
    "load": "unexpected trap in Keel: load page fault",
    "store": "unexpected trap in Keel: store page fault",
    "illegal": "unexpected trap in Keel: illegal instruction",
    "stack": "stack overflow into the guard page: store page fault",
    "panic": "requested from the shell by mterm",
}
CASES = [pytest.param(kind, smp, id=f"{kind}-smp{smp}")
         for kind in FAULTS for smp in (1, 4)]

BT_LINE = re.compile(r"^  \[([0-9a-f]{16})\] (\S+)\+0x[0-9a-f]+( \(and \d+ more identical frames\))?$")


class FaultRun:
    def __init__(self, keel, exited, status, signal):
        self.keel = keel
        self.out = keel.output
        self.exited = exited
        self.status = status
        self.signal = signal


@pytest.fixture(scope="module")
def fault_runs(keel_kernel):
    """Boot, fault, wait for QEMU to exit: once per (kind, smp), on demand."""
    runs = {}

    def get(kind, smp):
        if (kind, smp) not in runs:
            os.makedirs(LOG_DIR, exist_ok=True)
            log = os.path.join(LOG_DIR, f"test_panic-{kind}-smp{smp}.log")
            if os.path.exists(log):
                os.unlink(log)
            k = Keel(keel_kernel, log, smp=smp)
            try:
                k.start()
                k.send(f"debug fault {kind}\r")
                exited = True
                try:
                    k.wait_exit(EXIT_TIMEOUT)
                except pytest.fail.Exception:
                    exited = False
            finally:
                k.kill()
            runs[kind, smp] = FaultRun(k, exited, k.exitstatus, k.signalstatus)
        return runs[kind, smp]

    return get


@pytest.mark.parametrize("kind,smp", CASES)
def test_panic_report(fault_runs, kind, smp):
    r = fault_runs(kind, smp)
    out = r.out
    after = out[out.index(f"debug fault {kind}\n"):]
    head = re.search(r"^Keel panic on hart (\d+): (.*)$", after, re.M)
    assert head, f"no panic report (log: {r.keel.log_path})\n{after[-2000:]}"
    assert int(head.group(1)) < smp
    assert head.group(2) == FAULTS[kind]
    assert after.count("Keel panic on hart") == 1, "more than one panic report"
    report = after[head.start():]

    if kind != "panic":
        # A trap: the faulting pc, symbolized, and the registers.
        m = re.search(r"^ sepc: [0-9a-f]{16} (\S+)\+0x[0-9a-f]+$", report, re.M)
        assert m, report[:2000]
        assert m.group(1) == ("recurse" if kind == "stack" else "debug_fault")
        assert re.search(r"^ stval: [0-9a-f]{16}  scause: [0-9a-f]{16}  sstatus: [0-9a-f]{16}$",
                         report, re.M)
        assert re.search(r"^ +ra: [0-9a-f]{16} +sp: [0-9a-f]{16}", report, re.M)

    lines = report.split("\n")
    assert " backtrace:" in lines, report[:2000]
    bt = []
    for ln in lines[lines.index(" backtrace:") + 1:]:
        m = BT_LINE.match(ln)
        if not m:
            break
        bt.append(m.group(2))
    assert bt, "empty backtrace"
    end = lines[lines.index(" backtrace:") + 1 + len(bt)]
    assert end == "Keel: all harts stopped; powering off", \
        f"after the backtrace: {end!r}"
    # The backtrace reaches the code that faulted on purpose, and its callers.
    assert "debug_fault" in bt, f"backtrace without debug_fault: {bt}"
    callers = [f for f in bt if f in ("debug_fault", "cmd_run", "mterm_main")]
    assert callers == ["debug_fault", "cmd_run", "mterm_main"], bt
    # Nothing runs after the harts are stopped: no prompt comes back.
    assert "keel# " not in report


@pytest.mark.parametrize("kind,smp", CASES)
def test_panic_powers_off_with_failure(fault_runs, kind, smp):
    r = fault_runs(kind, smp)
    assert r.exited, f"QEMU did not exit by itself within {EXIT_TIMEOUT:.0f} s " \
                     f"(log: {r.keel.log_path})"
    assert r.signal is None, f"QEMU died of signal {r.signal}"
    assert r.status != 0, \
        f"QEMU exit status {r.status} after a panic: a failure must not look like a clean shutdown"


def test_no_h_extension(keel_factory):
    k = keel_factory(smp=2, cpu="rv64,h=false", wait_prompt=False)
    k.expect("Keel needs the RISC-V H extension", what="the H-extension refusal")
    k.wait_exit()
    assert k.signalstatus is None, f"QEMU died of signal {k.signalstatus}"
    out = k.output
    assert re.search(r"^Keel needs the RISC-V H extension: this hart \(\d+\) does not have it$",
                     out, re.M), out[-1000:]
    assert "keel# " not in out
    assert "harts online" not in out


def test_sleep_in_interrupt_context_is_caught(keel_factory):
    # A timer-event callback (interrupt context) that tries to sleep: the
    # orphan-context assertion turns it into a panic, not a corrupted scheduler.
    k = keel_factory(smp=1)
    k.send("debug fault sleep-in-irq\r")
    k.expect("Keel panic on hart 0: thread_sleep_ns: may sleep, called outside orphan context",
             what="the orphan-context assertion")
    k.expect(" backtrace:")
    k.expect("sleep_in_irq+0x", what="the callback in the backtrace")
    k.wait_exit(EXIT_TIMEOUT)
    assert k.exitstatus == 1
