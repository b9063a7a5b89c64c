#!/usr/bin/env python3
"""Runs an mpirun command that must fail: checks that it ends within the bound, with a non-zero
exit code and the expected text in its output.
usage: expect_failure.py SECONDS TEXT -- COMMAND..."""
import subprocess
import sys
import time

bound, text = float(sys.argv[1]), sys.argv[2]
command = sys.argv[sys.argv.index("--") + 1:]
start = time.monotonic()
try:
    run = subprocess.run(command, capture_output=True, text=True, timeout=bound)
except subprocess.TimeoutExpired:
    sys.exit(f"FAILED: still running after {bound} s: the other ranks hang")
elapsed = time.monotonic() - start
output = run.stdout + run.stderr
print(output)
if run.returncode == 0:
    sys.exit("FAILED: exit code 0, expected a failure")
if text not in output:
    sys.exit(f"FAILED: the output does not say '{text}'")
print(f"ok: exit code {run.returncode} after {elapsed:.1f} s, saying '{text}'")
