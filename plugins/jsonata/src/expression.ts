import jsonata from 'jsonata';

/** Guardrails so one bad expression cannot stall a pipeline worker. */
export interface ExpressionLimits {
  /** Longest one evaluation may run. */
  timeoutMs: number;
  /** Deepest recursion an expression may reach. */
  maxDepth: number;
}

export type CompiledExpression = jsonata.Expression;

/** What JSONata attaches to the errors it throws (syntax and evaluation alike). */
interface JsonataFailure {
  code: string;
  position?: number;
  token?: string;
  message: string;
}

function isJsonataFailure(error: unknown): error is JsonataFailure {
  return typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string' && 'message' in error;
}

/**
 * Turns a JSONata error into one line a person can act on: what went wrong and where.
 *
 * @example
 * describeJsonataError(error) // 'Expected "]" before end of expression (S0203 at character 19)'
 */
export function describeJsonataError(error: unknown): string {
  if (!isJsonataFailure(error)) return error instanceof Error ? error.message : String(error);
  const where = error.position === undefined ? '' : ` at character ${error.position}`;
  return `${error.message} (${error.code}${where})`;
}

/**
 * Compiles an expression or throws an Error whose message says what is wrong and where.
 *
 * @example
 * const expression = compileExpression('$merge([$, {"properties": {"plan": "pro"}}])', { timeoutMs: 1000, maxDepth: 200 });
 */
export function compileExpression(source: string, limits: ExpressionLimits): CompiledExpression {
  try {
    return jsonata(source, { timeout: limits.timeoutMs, stack: limits.maxDepth });
  } catch (error) {
    throw new Error(`JSONata syntax error: ${describeJsonataError(error)}`);
  }
}

/** The syntax error of an expression, or undefined when it compiles. */
export function syntaxError(source: string): string | undefined {
  try {
    compileExpression(source, { timeoutMs: 0, maxDepth: 0 });
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}
