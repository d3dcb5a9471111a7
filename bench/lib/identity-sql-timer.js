// Where the pipeline worker's time goes: wraps a runtime's raw queries and transactions and adds
// up the wall time of each statement (as the worker sees it: round trip included), by its text.

/** The first words of a drizzle `sql` template, as a label. */
function label(query) {
  const chunks = query?.queryChunks;
  if (!Array.isArray(chunks)) return '(builder query)';
  const text = chunks
    .filter((chunk) => chunk && Array.isArray(chunk.value))
    .map((chunk) => chunk.value.join(''))
    .join('$')
    .replace(/\s+/g, ' ')
    .trim();
  return text.length > 110 ? `${text.slice(0, 107)}...` : text;
}

/** The bytes of a drizzle `sql` template's parameters as sent (the JSON sets are strings). */
function paramBytes(query) {
  const chunks = query?.queryChunks;
  if (!Array.isArray(chunks)) return 0;
  let bytes = 0;
  for (const chunk of chunks) {
    if (chunk && Array.isArray(chunk.value)) continue;
    const value = chunk && typeof chunk === 'object' && 'value' in chunk ? chunk.value : chunk;
    if (typeof value === 'string') bytes += Buffer.byteLength(value);
  }
  return bytes;
}

/**
 * Instruments `runtime` in place. `stats()` answers the statements by total time, and the time
 * spent in transactions outside their statements (BEGIN, COMMIT with its WAL flush, JS work).
 */
export function timeStatements(runtime) {
  const byLabel = new Map();
  let transactions = 0;
  let transactionMs = 0;
  let insideMs = 0;
  let depth = 0;
  const add = (name, ms, bytes) => {
    const entry = byLabel.get(name) ?? { statement: name, calls: 0, totalMs: 0, maxMs: 0, paramBytes: 0 };
    entry.calls++;
    entry.totalMs += ms;
    entry.paramBytes += bytes;
    entry.maxMs = Math.max(entry.maxMs, ms);
    byLabel.set(name, entry);
    if (depth > 0) insideMs += ms;
  };
  const timed = async (query, run) => {
    const started = performance.now();
    try {
      return await run();
    } finally {
      add(label(query), performance.now() - started, paramBytes(query));
    }
  };
  const { database } = runtime;
  const query = database.query.bind(database);
  database.query = (sql) => timed(sql, () => query(sql));
  const transaction = database.transaction.bind(database);
  database.transaction = async (work) => {
    const started = performance.now();
    depth++;
    try {
      return await transaction((run) => work((sql) => timed(sql, () => run(sql))));
    } finally {
      depth--;
      transactions++;
      transactionMs += performance.now() - started;
    }
  };
  return {
    reset() {
      byLabel.clear();
      transactions = transactionMs = insideMs = 0;
    },
    stats() {
      const statements = [...byLabel.values()].sort((a, b) => b.totalMs - a.totalMs);
      return { statements, transactions, transactionMs, transactionOverheadMs: transactionMs - insideMs, statementMs: statements.reduce((sum, s) => sum + s.totalMs, 0) };
    },
  };
}
