import { check } from 'recheck';

/** How long recheck may analyse one pattern; one it cannot clear in time is refused. */
const checkTimeoutMs = 5_000;

/**
 * Why a blocked pattern must not be used, or `undefined` when it is safe. Blocked patterns run on
 * every identifier of every event and lookup, on the server's one thread: a pattern that can
 * backtrack super-linearly (`^(a+)+$` on `aaaa…ab`) would stall it. recheck analyses the pattern
 * (automata theory, or fuzzing for backreferences) in its own process or a worker thread.
 *
 * @example
 * await unsafePatternReason('^(a+)+$') // → "may take exponential time on some inputs (nested or overlapping repetition around 'a')…"
 * await unsafePatternReason('^(no-?reply|donotreply)@') // → undefined
 */
export async function unsafePatternReason(pattern: string): Promise<string | undefined> {
  const diagnostics = await check(pattern, 'i', { timeout: checkTimeoutMs });
  if (diagnostics.status === 'safe') return undefined;
  if (diagnostics.status === 'unknown') {
    const { error } = diagnostics;
    const why = error.kind === 'timeout' ? `within ${checkTimeoutMs / 1000} s` : 'message' in error ? `(${error.message})` : `(${error.kind})`;
    return `could not be proven free of catastrophic backtracking ${why}; write a simpler pattern`;
  }
  const parts = [...new Set(diagnostics.hotspot.filter((spot) => spot.temperature === 'heat').map((spot) => pattern.slice(spot.start, spot.end)))];
  const around = parts.length > 0 ? ` around ${parts.map((part) => `'${part}'`).join(', ')}` : '';
  const [time, cause] =
    diagnostics.complexity.type === 'exponential'
      ? ['exponential', 'nested or overlapping repetition']
      : [diagnostics.complexity.summary, 'repetitions that can share the same characters in many ways'];
  return `may take ${time} time on some inputs (${cause}${around}), and every value like that would hold up the server; rewrite it so each part of a value can match only one way (anchor it with ^, drop a leading .*)`;
}

/**
 * Logs a warning for each stored blocked pattern that is not safe to run (saved before patterns
 * were checked), saying how to replace it. Servers call it once at start, in the background.
 *
 * @example
 * void warnAboutUnsafePatterns(runtime.identityTypes, runtime.logger).catch(() => undefined);
 */
export async function warnAboutUnsafePatterns(
  types: { unsafeStoredPatterns(): Promise<Array<{ type: string; pattern: string; reason: string }>> },
  logger: { warn(details: object, message: string): void },
): Promise<number> {
  const unsafe = await types.unsafeStoredPatterns();
  for (const { type, pattern, reason } of unsafe) {
    logger.warn(
      { identifierType: type, pattern },
      `identifier type '${type}': the stored blocked pattern ${JSON.stringify(pattern)} ${reason}. It runs on every ${type} identifier until it is replaced: list the patterns to keep with \`weft identity types set ${type} --blocked-pattern <pattern>…\`, or go back to the defaults with \`weft identity types reset ${type}\``,
    );
  }
  return unsafe.length;
}
