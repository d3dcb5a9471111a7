// The benchmark server runs with `autovacuum = off` (a test setting): nothing ever analyzes or
// vacuums the tables, so the planner keeps the plans it made for empty tables (sequential scans
// of identities per batch) and dead rows pile up. This does what the autovacuum daemon would,
// with its default thresholds and throttling, from a connection of its own, every `intervalMs`.
import postgres from 'postgres';
import { processCpuMs } from './backend-cpu.js';

const tables = ['events', 'event_queue', 'identities', 'profiles', 'profile_events', 'identity_links', 'identity_ledger'];

/** Starts the stand-in on `url`; `stop()` ends it and answers how often it ran and for how long. */
export function emulateAutovacuum(url, { intervalMs = 5_000, log = () => {} } = {}) {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  const done = { analyze: 0, vacuum: 0, ms: 0, error: null };
  let stopped = false;
  let wake;
  let pid;
  const round = async () => {
    const rows = await sql`
      select s.relname, s.n_dead_tup, s.n_mod_since_analyze, s.n_ins_since_vacuum, c.reltuples
      from pg_stat_user_tables s join pg_class c on c.oid = s.relid where s.relname in ${sql(tables)}`;
    for (const row of rows) {
      if (stopped) return;
      const tuples = Math.max(0, Number(row.reltuples));
      // autovacuum_vacuum_{threshold,scale_factor} 50/0.2, _insert_ 1000/0.2, _analyze_ 50/0.1
      const vacuum = Number(row.n_dead_tup) > 50 + 0.2 * tuples || Number(row.n_ins_since_vacuum) > 1_000 + 0.2 * tuples;
      const analyze = Number(row.n_mod_since_analyze) > 50 + 0.1 * tuples;
      if (!vacuum && !analyze) continue;
      const started = performance.now();
      await sql.unsafe(`${vacuum ? 'vacuum (analyze)' : 'analyze'} ${row.relname}`);
      const ms = performance.now() - started;
      done.ms += ms;
      if (vacuum) done.vacuum++;
      else done.analyze++;
      log(`${vacuum ? 'vacuum analyze' : 'analyze'} ${row.relname} (${Math.round(tuples)} rows) took ${Math.round(ms)} ms`);
    }
  };
  const loop = (async () => {
    try {
      [{ pid }] = await sql`select pg_backend_pid() as pid`;
      // As the daemon throttles itself (autovacuum_vacuum_cost_delay 2 ms, cost limit 200).
      await sql`set vacuum_cost_delay = '2ms'`;
      await sql`set vacuum_cost_limit = 200`;
      while (!stopped) {
        await new Promise((resolve) => {
          wake = resolve;
          setTimeout(resolve, intervalMs);
        });
        if (!stopped) await round();
      }
    } catch (error) {
      if (!stopped) {
        done.error = String(error);
        log(`autovacuum stand-in stopped: ${error}`);
      }
    }
  })();
  return {
    async stop() {
      stopped = true;
      wake?.();
      if (pid) {
        // The stand-in's server process, on this machine.
        done.cpuSeconds = processCpuMs(pid) / 1000;
        // A vacuum in progress is cancelled, as autovacuum yields to a conflicting lock.
        const other = postgres(url, { max: 1, onnotice: () => {} });
        await other`select pg_cancel_backend(${pid})`;
        await other.end();
      }
      await loop;
      await sql.end();
      return done;
    },
  };
}
