// CPU time of PostgreSQL server processes, read from /proc (the server runs on this machine):
// what the database itself spends on a run, apart from the client and everything else.
import { readFileSync } from 'node:fs';

/** User + system CPU of one process, in milliseconds; 0 once it is gone. */
export function processCpuMs(pid) {
  try {
    // Fields after the command name: utime and stime are the 12th and 13th, in clock ticks (10 ms).
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return 0;
  }
}

/**
 * The server processes of the current database whose `application_name` is `name` (Weft's pool
 * sets 'weft'), with their CPU so far: `since(before)` is the CPU spent after `before` was taken,
 * counting whole any process that connected in between.
 */
export async function backendCpu(sql, name = 'weft') {
  const rows = await sql`select pid from pg_stat_activity where datname = current_database() and application_name = ${name}`;
  const byPid = new Map(rows.map((row) => [row.pid, processCpuMs(row.pid)]));
  return {
    pids: byPid.size,
    since(before) {
      let ms = 0;
      for (const [pid, now] of byPid) ms += now - (before.byPid.get(pid) ?? 0);
      return ms;
    },
    byPid,
  };
}
