"""
Shared by the Linux tests: where the Linux test guest is, and how to read the
lines its /init prints (tests/guests/linux/README.md has the contract).
"""
import os
import re

from conftest import ROOT

LINUX_IMAGE = os.path.join(ROOT, "build", "guests", "linux", "Image")
MISSING = "build/guests/linux/Image missing: make guests (tools/build-linux-guest)"


def init_lines(text, prefix=""):
    """The KEEL-INIT lines in text (\\r removed), without 'KEEL-INIT: '.
    prefix: a regex for what starts each line before it (Keel's '\\[name\\] ')."""
    return re.findall(rf"^{prefix}KEEL-INIT: (.*?)\s*$", text, re.M)


def check_init(lines, cpus, rtc_near=None, echo=None, end="poweroff"):
    """Asserts the whole contract for one boot: lines from init_lines()."""
    assert lines, "no KEEL-INIT line"
    assert lines[0] == "start", lines
    cmdline = [ln for ln in lines if ln.startswith("kernel cmdline ")]
    assert len(cmdline) == 1 and f"keel.cpus={cpus}" in cmdline[0].split(), lines
    assert f"cpus {cpus}" in lines and "cpus ok" in lines, lines
    rtc = [ln for ln in lines if ln.startswith("rtc ")]
    assert len(rtc) == 1, lines
    if rtc_near is None:
        assert rtc == ["rtc none"], lines
    else:
        # Seconds since the epoch from the guest's RTC: QEMU's goldfish RTC
        # follows the host clock.
        assert abs(int(rtc[0].split()[1]) - rtc_near) < 600, (rtc, rtc_near)
    if echo is not None:
        assert "echo ready" in lines and f"echo {echo}" in lines, lines
    assert [ln for ln in lines if "FAIL" in ln] == [], lines
    assert re.fullmatch(r"uptime \d+\.\d+", next(ln for ln in lines if ln.startswith("uptime"))), \
        lines
    assert lines[-2:] == ["done ok", end], lines
