"""
The Linux test guest (tests/guests/linux: Linux 6.1 with a built-in /init) on
QEMU + OpenSBI with no Keel: the reference for test_linux.py.  It proves the
kernel configuration and /init on their own, so a failure under Keel points at
Keel.
"""
import os
import time

import pytest

from conftest import _SCALE, native_qemu
from linuxguest import LINUX_IMAGE, MISSING, check_init, init_lines


def boot_native(request, smp, append, typed=()):
    """QEMU's exit status and the console output (\\r removed).
    typed: (prompt, line) pairs, each line typed after its prompt."""
    assert os.path.isfile(LINUX_IMAGE), MISSING
    return native_qemu(request, LINUX_IMAGE, smp, append, typed, timeout=90 * _SCALE)


@pytest.mark.parametrize("smp", [1, 4])
def test_linux_natively(request, smp):
    # The 8250 UART driven by its PLIC interrupt, the goldfish RTC, poweroff
    # through the syscon register; console input on the UART.
    status, out = boot_native(request, smp,
                              f"console=ttyS0 earlycon=sbi keel.cpus={smp} keel.rtc=1 keel.echo=1",
                              typed=[("KEEL-INIT: echo ready", "hello linux\r")])
    lines = init_lines(out)
    check_init(lines, smp, rtc_near=time.time(), echo="hello linux")
    assert "printk: console [ttyS0] enabled" in out
    assert "reboot: Power down" in out
    assert status == 0, out[-2000:]


def test_linux_natively_on_the_sbi_console(request):
    # hvc0: the console through SBI v0.1 putchar/getchar, which Keel serves too.
    status, out = boot_native(request, 2, "console=hvc0 earlycon=sbi keel.cpus=2 keel.echo=1",
                              typed=[("KEEL-INIT: echo ready", "via sbi\r")])
    check_init(init_lines(out), 2, rtc_near=time.time(), echo="via sbi")
    assert status == 0, out[-2000:]
