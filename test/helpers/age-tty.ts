import { spawnSync } from 'node:child_process';

/**
 * Debian's `age` reads passphrases only from the terminal (/dev/tty), never stdin. Tests give it
 * a pseudo-terminal with Python's pty module and type the passphrase at each prompt. The
 * passphrase travels in the environment, not argv.
 */
const DRIVER = `
import os, pty, sys
args = sys.argv[1:]
pw = os.environ['AGE_TEST_PASSPHRASE'].encode()
pid, fd = pty.fork()
if pid == 0:
    os.execvp(args[0], args)
buf = b''
answered = 0
while True:
    try:
        d = os.read(fd, 1024)
    except OSError:
        break
    if not d:
        break
    buf += d
    while b'passphrase' in buf.lower():
        low = buf.lower()
        i = low.index(b'passphrase') + len(b'passphrase')
        buf = buf[i:]
        os.write(fd, pw + b'\\r')
        answered += 1
_, status = os.waitpid(pid, 0)
sys.stderr.write(buf.decode('utf8', 'replace'))
sys.exit(os.waitstatus_to_exitcode(status))
`;

export function runAgeWithPassphrase(args: string[], passphrase: string): { status: number | null; stderr: string } {
  const r = spawnSync('python3', ['-c', DRIVER, 'age', ...args], { env: { ...process.env, AGE_TEST_PASSPHRASE: passphrase }, timeout: 60_000 });
  return { status: r.status, stderr: `${r.stderr?.toString() ?? ''}${r.error ? String(r.error) : ''}` };
}
