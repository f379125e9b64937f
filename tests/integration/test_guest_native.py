"""
The test guest `basic` on QEMU + OpenSBI with no Keel: the reference
behaviour that Keel's SBI implementation will be held to.  Every check must
pass natively, so a failure under Keel points at Keel, not at the guest.
"""
import os
import re

import pytest

from conftest import ROOT, native_qemu

BASIC = os.path.join(ROOT, "build", "guests", "basic.bin")


def run_native(request, smp, tests, typed=()):
    """The guest's output; typed: (prompt, line) pairs, each line typed after its prompt."""
    assert os.path.isfile(BASIC), "build/guests/basic.bin missing: make guests"
    return native_qemu(request, BASIC, smp, f"keel.test={tests}", typed)[1]


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
