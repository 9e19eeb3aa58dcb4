# Runs a command on a fresh pseudo-terminal (python3's pty module) and prints, as one JSON object,
# its exit code and what it wrote to the terminal with the time each piece arrived. With a trigger
# path, Ctrl-C (the byte 0x03, which the terminal turns into SIGINT for the foreground process
# group) is typed once that file exists. Used by test/stream-cli.e2e-spec.ts.
import json
import os
import pty
import select
import signal
import sys
import time

argv = json.loads(sys.argv[1])
trigger = sys.argv[2] if len(sys.argv) > 2 and sys.argv[2] != '' else None
deadline = float(sys.argv[3]) if len(sys.argv) > 3 else 30.0

pid, fd = pty.fork()
if pid == 0:
    os.execvp(argv[0], argv)

start = time.time()
chunks = []
interrupted_at = None
killed = False
while True:
    now = time.time() - start
    if trigger is not None and interrupted_at is None and os.path.exists(trigger):
        os.write(fd, b'\x03')
        interrupted_at = now
    if now > deadline and not killed:
        os.kill(pid, signal.SIGKILL)
        killed = True
    ready, _, _ = select.select([fd], [], [], 0.02)
    if ready:
        try:
            data = os.read(fd, 65536)
        except OSError:
            data = b''
        if not data:
            break
        chunks.append({'t': now, 'data': data.decode('utf8', 'replace')})

_, status = os.waitpid(pid, 0)
print(json.dumps({'code': os.waitstatus_to_exitcode(status), 'chunks': chunks, 'interrupted_at': interrupted_at, 'killed': killed}))
