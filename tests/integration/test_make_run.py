"""
`make run`, as the README promises it: Keel boots with the default guest
package (packages/default), the Linux guest starts with its console bound to
the terminal, typed input reaches it, and Ctrl-] q comes back to keel#.
"""
import os

import pexpect

from conftest import LOG_DIR, ROOT, _log_name

TIMEOUT = 120


def test_make_run_binds_the_linux_guest(request):
    os.makedirs(LOG_DIR, exist_ok=True)
    log = open(os.path.join(LOG_DIR, _log_name(request.node.name) + ".log"), "wb")
    p = pexpect.spawn("make", ["-s", "run"], cwd=ROOT, timeout=TIMEOUT, encoding=None)
    p.logfile_read = log
    try:
        p.expect(b"keel# vserial bind linux")
        p.expect(b"vserial: bound to guest 'linux' \\(Ctrl-\\] q returns to Keel\\)")
        p.expect(b"KEEL-INIT: cpus ok")
        p.expect(b"KEEL-INIT: echo ready")
        p.send(b"hello keel\r")
        p.expect(b"KEEL-INIT: echo hello keel")
        p.expect(b"KEEL-INIT: hang")
        p.send(b"\x1dq")
        p.expect(b"vserial: detached from guest 'linux'")
        p.expect(b"keel# ")
        p.send(b"guest list\r")
        p.expect(b" linux +running +2 +262144 ")
        p.send(b"shutdown\r")
        p.expect(pexpect.EOF)
    finally:
        p.close(force=True)
        log.close()
