// CPU time of a process tree from /proc: steadier than wall time when other work shares the machine.
import fs from 'node:fs';

const TICK = 100; // USER_HZ on Linux
/** CPU milliseconds used so far by a process and all its descendants (Chromium's helpers), in all and by kind. */
export function treeCpuMs(rootPid) {
  if (process.platform !== 'linux') return { total: NaN, byKind: {} };
  const stats = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const s = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const rest = s.slice(s.lastIndexOf(')') + 2).split(' ');
      let kind = 'node';
      if (Number(d) !== rootPid) {
        const cmd = fs.readFileSync(`/proc/${d}/cmdline`, 'utf8');
        kind = /--type=([a-z-]+)/.exec(cmd)?.[1] ?? 'browser';
      }
      stats.push({ pid: Number(d), ppid: Number(rest[1]), kind, cpu: (Number(rest[11]) + Number(rest[12]) + Number(rest[13]) + Number(rest[14])) * (1000 / TICK) });
    } catch {
      /* gone */
    }
  }
  const inTree = new Set([rootPid]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const p of stats) if (!inTree.has(p.pid) && inTree.has(p.ppid)) (inTree.add(p.pid), (grew = true));
  }
  const byKind = {};
  let total = 0;
  for (const p of stats) {
    if (!inTree.has(p.pid)) continue;
    byKind[p.kind] = (byKind[p.kind] ?? 0) + p.cpu;
    total += p.cpu;
  }
  return { total, byKind };
}
