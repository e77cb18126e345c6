/**
 * Ends a process group started with `detached: true` (a shell, a command and whatever they started): SIGTERM
 * now, SIGKILL after `graceMs` for whatever ignored it. Safe to call when the group is already gone.
 */
export function endProcessGroup(pid: number | undefined, graceMs: number): void {
  if (pid === undefined) return;
  const signal = (s: NodeJS.Signals) => {
    try {
      process.kill(-pid, s);
    } catch {
      // already gone
    }
  };
  signal('SIGTERM');
  setTimeout(() => signal('SIGKILL'), graceMs).unref();
}
