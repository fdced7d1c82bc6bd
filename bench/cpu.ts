import { readFileSync, readdirSync } from 'node:fs';

/** CPU seconds from /proc (utime + stime, with waited-for children when `withChildren`). */
function cpuSeconds(pid: number, withChildren: boolean): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const [utime, stime, cutime, cstime] = fields.slice(11, 15).map(Number);
    return (utime + stime + (withChildren ? cutime + cstime : 0)) / 100;
  } catch {
    return 0; // the process is gone
  }
}

function parentOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return -1;
  }
}

/** The machine's PostgreSQL server (the one the bench databases live on): its postmaster's pid. */
export function postmasterPid(dataDirectory: string): number {
  return Number(readFileSync(`${dataDirectory}/postmaster.pid`, 'utf8').split('\n')[0]);
}

/** CPU seconds used so far by PostgreSQL: the postmaster, its exited children, and its live backends. */
export function postgresCpu(postmaster: number): number {
  let total = cpuSeconds(postmaster, true);
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (Number.isInteger(pid) && parentOf(pid) === postmaster) total += cpuSeconds(pid, false);
  }
  return total;
}

export function processCpu(pid: number): number {
  return cpuSeconds(pid, false);
}
