"""
The benchmark guest (tests/guests/bench) runs to the end under Keel and
natively and prints every figure with a number.  A benchmark, not a timed
test: no figure is held to a threshold here (make bench reports them).
"""
import os
import re
import subprocess

import pytest

from conftest import LOG_DIR, OPENSBI, QEMU, ROOT, _log_name

BENCH = os.path.join(ROOT, "build", "guests", "bench.bin")
KEEL_RUN = os.path.join(ROOT, "tools", "keel-run")
FIGURES = ["sbi_base_probe", "sbi_set_timer", "sbi_dbcn_write_byte", "mmio_uart_lsr_read",
           "plic_claim_complete", "ext_irq_latency", "timer_irq_latency_spin",
           "timer_irq_latency_wfi"]
FIGURE_RE = r"^BENCH (\w+) -?\d+ instr min -?\d+ max -?\d+ n 1000$"


def figures(out):
    assert re.search(r"^BENCH done \d+$", out, re.M), out[-2000:]
    return re.findall(FIGURE_RE, out, re.M)


def test_bench_guest_under_keel(request, keel_kernel):
    assert os.path.isfile(BENCH), "build/guests/bench.bin missing: make guests"
    os.makedirs(LOG_DIR, exist_ok=True)
    log = os.path.join(LOG_DIR, _log_name(request.node.name) + ".log")
    r = subprocess.run([KEEL_RUN, "--keel", keel_kernel, "--kernel", BENCH, "--timeout", "60",
                        "--log", log], capture_output=True, text=True, stdin=subprocess.DEVNULL)
    assert r.returncode == 0, f"{r.stderr} (log: {log})"
    assert figures(r.stdout) == FIGURES, r.stdout
    assert "BENCH done 8" in r.stdout.splitlines()


@pytest.mark.parametrize("icount", [False, True], ids=["tcg", "icount"])
def test_bench_guest_natively(request, icount):
    assert os.path.isfile(BENCH), "build/guests/bench.bin missing: make guests"
    r = subprocess.run([QEMU, "-M", "virt", "-cpu", "rv64", "-m", "256M", "-smp", "1",
                        "-nographic", "-bios", OPENSBI, "-kernel", BENCH] +
                       (["-icount", "shift=0,align=off,sleep=off"] if icount else []),
                       capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=60)
    out = r.stdout.replace("\r", "")
    os.makedirs(LOG_DIR, exist_ok=True)
    with open(os.path.join(LOG_DIR, _log_name(request.node.name) + ".log"), "w") as f:
        f.write(out)
    # OpenSBI 1.1 has no DBCN.
    assert figures(out) == [f for f in FIGURES if f != "sbi_dbcn_write_byte"], out[-3000:]
    assert "BENCH sbi_dbcn_write_byte skip no DBCN" in out.splitlines()
    if icount:
        assert "BENCH info clock: instret = time * 100 + 0 (icount)" in out.splitlines()


def test_bench_guest_refuses_an_unknown_mode(request, keel_kernel):
    os.makedirs(LOG_DIR, exist_ok=True)
    log = os.path.join(LOG_DIR, _log_name(request.node.name) + ".log")
    r = subprocess.run([KEEL_RUN, "--keel", keel_kernel, "--kernel", BENCH, "--append",
                        "keel.bench=nosuch", "--timeout", "60", "--log", log],
                       capture_output=True, text=True, stdin=subprocess.DEVNULL)
    assert r.returncode == 1, f"{r.stderr} (log: {log})"
    assert r.stdout.splitlines()[-1] == 'BENCH FAIL bootargs "keel.bench=nosuch": keel.bench= ' \
        "takes periodic, vcpu_switch or vcpu_switch_peer"
