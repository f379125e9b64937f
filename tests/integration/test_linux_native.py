"""
The Linux test guest (tests/guests/linux: Linux 6.1 with a built-in /init) on
QEMU + OpenSBI with no Keel: the reference for test_linux.py.  It proves the
kernel configuration and /init on their own, so a failure under Keel points at
Keel.
"""
import os
import time

import pexpect
import pytest

from conftest import LOG_DIR, OPENSBI, QEMU, _SCALE, _log_name
from linuxguest import LINUX_IMAGE, MISSING, check_init, init_lines


def boot_native(request, smp, append, typed=()):
    """QEMU's exit status and the console output (\\r removed).
    typed: (prompt, line) pairs, each line typed after its prompt."""
    assert os.path.isfile(LINUX_IMAGE), MISSING
    os.makedirs(LOG_DIR, exist_ok=True)
    log = open(os.path.join(LOG_DIR, _log_name(request.node.name) + ".log"), "wb")
    p = pexpect.spawn(QEMU, ["-M", "virt", "-cpu", "rv64", "-m", "256M", "-smp", str(smp),
                             "-nographic", "-bios", OPENSBI, "-kernel", LINUX_IMAGE,
                             "-append", append], timeout=90 * _SCALE)
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
    return p.exitstatus, out.decode(errors="replace").replace("\r", "")


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
