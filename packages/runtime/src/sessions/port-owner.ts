import { readdir, readFile, readlink } from 'node:fs/promises';

/**
 * Whether the socket listening on `127.0.0.1:port` belongs to process group `pgid` (the agent and whatever
 * it started). An agent's port is picked free and bound by the agent a moment later; in between, another
 * process may take it, and then `/ping` would be answered — and the session's traffic served — by a process
 * that is not the agent. Linux: the listening socket's inode (/proc/net/tcp, tcp6) must be an open fd of a
 * process in the group. Where /proc cannot be read, the check cannot be made and passes.
 */
export async function portOwnedBy(pgid: number, port: number): Promise<boolean> {
  const inodes = new Set<string>();
  let readable = false;
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
      readable = true;
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      // local_address is HEXIP:HEXPORT; state 0A is LISTEN; the inode is the tenth field.
      if (f.length < 10 || f[3] !== '0A') continue;
      if (parseInt(f[1]!.split(':')[1] ?? '', 16) === port) inodes.add(f[9]!);
    }
  }
  if (!readable) return true;
  if (inodes.size === 0) return false;
  let pids: string[];
  try {
    pids = (await readdir('/proc')).filter((p) => /^\d+$/.test(p));
  } catch {
    return true;
  }
  for (const pid of pids) {
    try {
      const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
      // Field 5 (pgrp) follows the parenthesised command name, which may itself contain spaces.
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(rest[2]) !== pgid) continue;
      for (const fd of await readdir(`/proc/${pid}/fd`)) {
        const target = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
        const m = /^socket:\[(\d+)\]$/.exec(target);
        if (m && inodes.has(m[1]!)) return true;
      }
    } catch {
      // the process ended while we looked
    }
  }
  return false;
}
