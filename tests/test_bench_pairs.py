"""bench/pairs.py's server CPU: the CPU of processes of a name, ended children included (what
docs/benchmarks.md quotes as client + server CPU for PostgreSQL)."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from bench.pairs import server_cpu

CHILD = r"""
import os, sys, time
open('/proc/self/comm', 'w').write('zwgkbusy')
pid = os.fork()
if pid == 0:  # a worker of the same name that ends before we are asked (like a database backend)
    end = time.process_time() + 0.4
    while time.process_time() < end:
        pass
    os._exit(0)
os.waitpid(pid, 0)
sys.stdout.write('reaped\n'); sys.stdout.flush()
time.sleep(30)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc (Linux)")
def test_server_cpu_counts_a_reaped_worker_of_the_name():
    assert server_cpu("zwgkbusy") == 0.0  # no such process yet
    with subprocess.Popen([sys.executable, "-c", CHILD], stdout=subprocess.PIPE, text=True) as proc:
        try:
            assert proc.stdout.readline() == "reaped\n"
            used = server_cpu("zwgkbusy")
            assert 0.35 <= used < 5, used  # the ended worker's 0.4 s, through its parent's cutime
            assert server_cpu(None) == 0.0 and server_cpu("zwgk-no-such-process") == 0.0
        finally:
            proc.kill()
    time.sleep(0.05)
    assert server_cpu("zwgkbusy") == 0.0
