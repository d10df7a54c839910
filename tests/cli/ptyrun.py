# SPDX-License-Identifier: Apache-2.0
"""ptyrun.py TRANSCRIPT PINS CMD... - run CMD on a new pseudo-terminal (its controlling
tty) and answer each prompt (output ending in ':') with the next of the
comma-separated PINS. Writes the terminal transcript (what a user would see:
a PIN echoed by the terminal would appear in it) to the file TRANSCRIPT and
exits with CMD's status.
Used by the CLI tests to exercise the no-echo PIN prompt."""
import os
import pty
import select
import sys
import termios
import time

transcript = sys.argv[1]
pins = sys.argv[2].split(",") if sys.argv[2] else []
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[3], sys.argv[3:])
out = b""
deadline = time.time() + 30
while time.time() < deadline:
    r, _, _ = select.select([fd], [], [], 0.5)
    if not r:
        continue
    try:
        chunk = os.read(fd, 4096)
    except OSError:
        break
    if not chunk:
        break
    out += chunk
    if pins and chunk.rstrip().endswith(b":"):
        # Answer once the prompt has switched echo off (it may flush pending
        # input when it does: typing earlier would be lost).
        t_end = time.time() + 3
        while time.time() < t_end:
            try:
                if not termios.tcgetattr(fd)[3] & termios.ECHO:
                    break
            except termios.error:
                break
            time.sleep(0.01)
        time.sleep(0.05)
        os.write(fd, pins.pop(0).encode() + b"\n")
_, status = os.waitpid(pid, 0)
with open(transcript, "wb") as f:
    f.write(out)
sys.exit(os.waitstatus_to_exitcode(status))
