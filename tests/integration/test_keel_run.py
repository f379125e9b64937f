"""
tools/keel-run, the one-line guest runner: the guest's console on stdout,
Keel's on stderr (or --log), and an exit status that says how the guest ended.
"""
import os
import re
import subprocess
import time

import pytest

from conftest import LOG_DIR, ROOT, _log_name

KEEL_RUN = os.path.join(ROOT, "tools", "keel-run")
BASIC = os.path.join(ROOT, "build", "guests", "basic.bin")


@pytest.fixture
def keel_run(request, keel_kernel):
    """keel_run(args..., log=True) -> CompletedProcess (text); the console goes to the
    test's log in build/test-logs unless log=False."""
    os.makedirs(LOG_DIR, exist_ok=True)
    log = os.path.join(LOG_DIR, _log_name(request.node.name) + ".log")

    def run(*args, log_to_file=True, timeout=60):
        cmd = [KEEL_RUN, "--keel", keel_kernel, *args]
        if log_to_file:
            cmd += ["--log", log]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                              stdin=subprocess.DEVNULL)

    run.log = log
    return run


def test_guest_console_on_stdout_keel_on_stderr(keel_run):
    r = keel_run("--kernel", BASIC, "--append", "keel.test=sbi_base,console",
                 log_to_file=False)
    assert r.returncode == 0, r.stderr[-2000:]
    lines = r.stdout.splitlines()
    assert lines and all(ln.startswith("BASIC: ") for ln in lines), r.stdout
    assert "BASIC: sbi_base ok spec 2.0 impl 1262830924" in lines
    assert "BASIC: console ok legacy and DBCN" in lines
    assert lines[-1] == "BASIC: done 2/2"
    assert "Keel 0.1.0: RISC-V hypervisor" in r.stderr
    assert "guest 'guest' stopped: vcpu 0: shut down (no reason)" in r.stderr
    assert "[guest]" not in r.stderr and "BASIC:" not in r.stderr


def test_log_takes_the_whole_console(keel_run):
    r = keel_run("--kernel", BASIC, "--append", "keel.test=sbi_base")
    assert (r.returncode, r.stderr) == (0, "")
    log = open(keel_run.log).read()
    assert "[guest] BASIC: done 1/1" in log
    assert "Keel: shutting down" in log


def test_a_faulting_guest_exits_1(keel_run):
    r = keel_run("--kernel", BASIC, "--append", "keel.test=fault")
    assert r.returncode == 1
    assert r.stdout.splitlines()[-1] == "BASIC: touching outside RAM at 0x100000000 (8-byte load)"
    assert r.stderr.startswith("keel-run: the guest failed: guest 'guest' halted: vcpu 0: "
                               "access outside its memory"), r.stderr


def test_a_failure_reason_exits_1(keel_run):
    # An unknown check name fails the run: SRST shutdown with reason "system failure".
    r = keel_run("--kernel", BASIC, "--append", "keel.test=sbi_base,nosuch")
    assert r.returncode == 1
    assert "BASIC: done 1/2" in r.stdout.splitlines()
    assert r.stderr == "keel-run: the guest failed: guest 'guest' stopped: vcpu 0: " \
        "shut down (system failure)\n"


def test_a_guest_that_never_ends_times_out(keel_run, tmp_path):
    loop = tmp_path / "loop.bin"
    loop.write_bytes(bytes.fromhex("6f000000"))  # j .
    t0 = time.monotonic()
    r = keel_run("--kernel", str(loop), "--timeout", "3")
    assert r.returncode == 2
    assert time.monotonic() - t0 < 13
    assert (r.stdout, r.stderr) == ("", "keel-run: timeout: the guest did not end within 3 s\n")


@pytest.mark.parametrize("args, message", [
    (["--kernel", "/nonexistent/Image"], "--kernel /nonexistent/Image: no such file"),
    (["--kernel", BASIC, "--vcpus", "0"], "argument --vcpus: '0' is not a positive whole number"),
    (["--kernel", BASIC, "--icount", "--smp", "2"],
     "--icount needs --smp 1 (QEMU hangs with -icount and several harts)"),
    (["--kernel", BASIC, "--dtb", BASIC, "--append", "x"],
     "--append has no effect with --dtb: put the bootargs in that device tree's /chosen"),
    (["--kernel", BASIC, "--sched", "prio=1"], "argument --sched: 'prio' is not one of "
     "priority, time-slice-us, budget-us, period-us, affinity"),
    (["--kernel", BASIC, "--sched", "priority=high"],
     "argument --sched: priority: 'high' is not a whole number"),
    (["--kernel", BASIC, "--add-guest", BASIC],
     f"argument --add-guest: '{BASIC}' is not NAME:KERNEL[:PROPS[:ARGS]]"),
    (["--kernel", BASIC, "--add-guest", f"guest:{BASIC}"],
     "argument --add-guest: 'guest' is not a guest name (1..31 of A-Z a-z 0-9 _ -, not 'guest')"),
    (["--kernel", BASIC, "--add-guest", "x:/nonexistent/Image"],
     "--add-guest x: /nonexistent/Image: no such file"),
    (["--kernel", BASIC, "--add-guest", f"x:{BASIC}", "--add-guest", f"x:{BASIC}"],
     "--add-guest: two guests with one name"),
])
def test_bad_arguments_exit_3_with_one_line(keel_run, args, message):
    r = keel_run(*args, log_to_file=False)
    assert (r.returncode, r.stdout, r.stderr) == (3, "", f"keel-run: error: {message}\n")


def test_keel_refusing_the_guest_exits_3(keel_run):
    r = keel_run("--kernel", BASIC, "--mem", "1")
    assert r.returncode == 3
    assert r.stderr == "keel-run: error: guest 'guest': /images/kernel: load address " \
        "0x80200000 (default: RAM base + 2 MiB) is not in RAM\n"


def test_vcpus_and_memory_reach_the_guest(keel_run):
    r = keel_run("--kernel", BASIC, "--append", "keel.test=sbi_base", "--vcpus", "2",
                 "--mem", "128", "--icount")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[1] == "BASIC: info harts 2 (0 1) boot hart 0 timebase " \
        "10000000 Hz RAM 0x80000000+0x8000000 bootargs \"keel.test=sbi_base\""
    assert "guest 'guest' created: id 0, 2 vcpus, 131072 KiB RAM" in open(keel_run.log).read()


def test_added_guests_their_scheduling_and_keel_options(keel_run):
    # The guest "guest" ends the run; "other" (its lines prefixed) finishes before it.
    r = keel_run("--kernel", BASIC, "--append", "keel.test=timer_sbi", "--icount",
                 "--keel-append", "keel.sched=0:edf", "--sched", "budget-us=3000,period-us=10000",
                 "--add-guest", f"other:{BASIC}:time-slice-us=500:keel.test=sbi_base",
                 "--shell", "sched info")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert "[other] BASIC: done 1/1" in lines and "BASIC: done 1/1" in lines, r.stdout
    assert not [ln for ln in lines if ln.startswith("[guest]")], r.stdout
    log = open(keel_run.log).read()
    assert "guest 'other' created: id 1, 1 vcpus, 65536 KiB RAM" in log
    assert "guest 'other' stopped: vcpu 0: shut down (no reason)" in log
    assert re.search(r"^ +\d+ guest/0 +0 budget +4 +10000 +3000 +10000 ", log, re.M), log
    assert re.search(r"^ +\d+ other/0 +0 bg +4 +500 +- +- ", log, re.M), log
    assert "hart 0: edf (earliest deadline first, constant-bandwidth servers): bound 100%, " \
        "reserved 30.0%" in log


def test_an_added_guest_that_fails_exits_1(keel_run):
    r = keel_run("--kernel", BASIC, "--append", "keel.test=timer_sbi",
                 "--add-guest", f"bad:{BASIC}::keel.test=fault")
    assert r.returncode == 1
    assert "[bad] BASIC: touching outside RAM at 0x100000000 (8-byte load)" in r.stdout
    assert r.stderr.startswith("keel-run: the guest failed: guest 'bad' halted: vcpu 0: "
                               "access outside its memory"), r.stderr


OS_DTS = """/dts-v1/;
/ {
	#address-cells = <2>;
	#size-cells = <2>;
	chosen { bootargs = "keel.test=sbi_base from-my-dtb"; };
	cpus {
		#address-cells = <1>;
		#size-cells = <0>;
		timebase-frequency = <10000000>;
		cpu@0 { device_type = "cpu"; reg = <0>; status = "okay"; };
	};
	memory@80000000 { device_type = "memory"; reg = <0x0 0x80000000 0x0 0x8000000>; };
};
"""


def test_dtb_and_initrd_reach_the_guest(keel_run, tmp_path):
    (tmp_path / "os.dts").write_text(OS_DTS)
    subprocess.run(["dtc", "-q", "-I", "dts", "-O", "dtb", "-o", str(tmp_path / "os.dtb"),
                    str(tmp_path / "os.dts")], check=True)
    (tmp_path / "initrd.img").write_bytes(bytes(range(256)) * 4096)
    r = keel_run("--kernel", BASIC, "--dtb", str(tmp_path / "os.dtb"), "--initrd",
                 str(tmp_path / "initrd.img"), "--mem", "128")
    assert r.returncode == 0, r.stderr
    assert 'bootargs "keel.test=sbi_base from-my-dtb"' in r.stdout.splitlines()[1]
    log = open(keel_run.log).read()
    assert "Keel: guest package: 5 files" in log
    assert "guest 'guest' created: id 0, 1 vcpus, 131072 KiB RAM" in log


@pytest.mark.parametrize("vcpus,smp", [(1, 1), (2, 1), (1, 2), (2, 2)])
def test_basic_passes_every_check(keel_run, vcpus, smp):
    # The whole of the test guest, QEMU virt's devices included, as `qemu -kernel` would run it.
    r = keel_run("--kernel", BASIC, "--append", "keel.test=all", "--vcpus", str(vcpus),
                 "--smp", str(smp), "--timeout", "60")
    assert r.returncode == 0, (r.stdout[-3000:], r.stderr[-2000:])
    lines = r.stdout.splitlines()
    assert not [ln for ln in lines if " FAIL" in ln], r.stdout
    done = lines[-1].split()[-1].split("/")
    assert lines[-1].startswith("BASIC: done ") and done[0] == done[1] and int(done[1]) >= 14, \
        r.stdout
    assert f"BASIC: info harts {vcpus} (" in r.stdout
    for check in ("uart", "plic", "rtc", "fp", "virt_insn", "ipi", "rfence"):
        assert f"BASIC: {check} ok" in r.stdout, check
