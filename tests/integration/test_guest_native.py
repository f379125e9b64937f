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


@pytest.mark.parametrize("smp", [1, 2, 4])
def test_basic_guest_natively(request, smp):
    assert os.path.isfile(BASIC), "build/guests/basic.bin missing: make guests"
    os.makedirs(LOG_DIR, exist_ok=True)
    log = open(os.path.join(LOG_DIR, _log_name(request.node.name) + ".log"), "wb")
    p = pexpect.spawn(QEMU, ["-M", "virt", "-cpu", "rv64", "-m", "256M", "-smp", str(smp),
                             "-nographic", "-bios", OPENSBI, "-kernel", BASIC,
                             "-append", "keel.test=all"], timeout=60)
    p.logfile_read = log
    try:
        p.expect(pexpect.EOF)
    finally:
        p.close(force=True)
        log.close()
    out = p.before.decode(errors="replace").replace("\r", "")
    results = re.findall(r"^BASIC: (\w+) (ok|FAIL|skip)\b.*$", out, re.M)
    assert results, out[-2000:]
    assert [r for r in results if r[1] == "FAIL"] == [], out[-3000:]
    done = re.search(r"^BASIC: done (\d+)/(\d+)$", out, re.M)
    assert done and done.group(1) == done.group(2), out[-2000:]
    assert len(re.findall(r"^BASIC: hart \d+ up$", out, re.M)) >= smp - 1
