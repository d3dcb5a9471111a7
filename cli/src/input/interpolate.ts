import { badInput, type FieldIssue } from '../errors.js';

const reference = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/**
 * Replaces `${VAR}` (and `${VAR:-default}`) in every string of a parsed config with the
 * environment's value; `$$` is a literal `$`. Substitution happens after YAML parsing, so a value
 * containing `:` or `#` cannot change the file's structure. Every missing variable is reported
 * with the field that uses it.
 *
 * @example
 * interpolateEnv({ url: 'https://${HOST}/in' }, { HOST: 'example.com' }, 'weft.yaml')
 * // { url: 'https://example.com/in' }
 */
export function interpolateEnv<T>(value: T, env: NodeJS.ProcessEnv, source: string): T {
  const missing: MissingVariable[] = [];
  const result = walk(value, '', env, missing);
  if (missing.length > 0) {
    const names = [...new Set(missing.map((use) => use.name))];
    const issues: FieldIssue[] = missing.map((use) => ({ path: use.path, message: `environment variable ${use.name} is not set` }));
    const several = names.length > 1;
    throw badInput(`${source} uses environment variable${several ? 's' : ''} ${names.join(', ')} that ${several ? 'are' : 'is'} not set`, issues);
  }
  return result as T;
}

interface MissingVariable {
  name: string;
  path: string;
}

function walk(value: unknown, path: string, env: NodeJS.ProcessEnv, missing: MissingVariable[]): unknown {
  if (typeof value === 'string') {
    return value.replace(reference, (match, name: string | undefined, fallback: string | undefined) => {
      if (match === '$$') return '$';
      const found = env[name!];
      if (found !== undefined && found !== '') return found;
      if (fallback !== undefined) return fallback;
      missing.push({ name: name!, path: path || '(root)' });
      return match;
    });
  }
  if (Array.isArray(value)) return value.map((item, i) => walk(item, join(path, String(i)), env, missing));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, walk(item, join(path, key), env, missing)]));
  }
  return value;
}

const join = (path: string, key: string) => (path ? `${path}.${key}` : key);
