"""
The test guest `basic` on QEMU + OpenSBI with no Keel: the reference
behaviour that Keel's SBI implementation will be held to.  Every check must
pass natively, so a failure under Keel points at Keel, not at the guest.
"""
import os
import re

import pexpect
import pytest

from conftest import LOG_DIR, OPENSBI, QEMU, ROOT, _log_name

BASIC = os.path.join(ROOT, "build", "guests", "basic.bin")


def run_native(request, smp, tests, typed=()):
    """The guest's output; typed: (prompt, line) pairs, each line typed after its prompt."""
    assert os.path.isfile(BASIC), "build/guests/basic.bin missing: make guests"
    os.makedirs(LOG_DIR, exist_ok=True)
    log = open(os.path.join(LOG_DIR, _log_name(request.node.name) + ".log"), "wb")
    p = pexpect.spawn(QEMU, ["-M", "virt", "-cpu", "rv64", "-m", "256M", "-smp", str(smp),
                             "-nographic", "-bios", OPENSBI, "-kernel", BASIC,
                             "-append", f"keel.test={tests}"], timeout=60)
    p.logfile_read = log
    out = b""
    try:
        for prompt, line in typed:
            p.expect_exact(prompt)
            out += p.before + p.after
            p.send(line)
        p.expect(pexpect.EOF)
        out += p.before
    finally:
        p.close(force=True)
        log.close()
    return out.decode(errors="replace").replace("\r", "")


@pytest.mark.parametrize("smp", [1, 2, 4])
def test_basic_guest_natively(request, smp):
    out = run_native(request, smp, "all")
    results = re.findall(r"^BASIC: (\w+) (ok|FAIL|skip)\b.*$", out, re.M)
    assert results, out[-2000:]
    assert [r for r in results if r[1] == "FAIL"] == [], out[-3000:]
    done = re.search(r"^BASIC: done (\d+)/(\d+)$", out, re.M)
    assert done and done.group(1) == done.group(2), out[-2000:]
    assert len(re.findall(r"^BASIC: hart \d+ up$", out, re.M)) >= smp - 1


def test_uart_rx_natively(request):
    # QEMU's UART receives what is typed; OpenSBI 1.1 has no DBCN to read it with.
    out = run_native(request, 1, "uart_rx,console_rx",
                     typed=[("BASIC: info uart_rx: type a line", "hello uart\r")])
    assert 'BASIC: uart_rx ok read "hello uart"\n' in out, out[-2000:]
    assert "BASIC: console_rx skip no DBCN\n" in out
    assert "BASIC: done 1/1\n" in out
