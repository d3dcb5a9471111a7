import { z } from 'zod';

const SECRET = 'weft:secret';

/**
 * Marks a config field as secret: stored encrypted, write-only in the API and CLI, redacted from logs.
 *
 * @example
 * config: z.object({ url: z.url(), signingSecret: secret() })
 */
export function secret(description?: string): z.ZodString {
  return z.string().min(1).meta({ [SECRET]: true, writeOnly: true, ...(description ? { description } : {}) });
}

function isSecretSchema(schema: z.ZodType): boolean {
  let current: z.ZodType | undefined = schema;
  while (current) {
    if (z.globalRegistry.get(current)?.[SECRET] === true) return true;
    current = innerSchema(current);
  }
  return false;
}

function innerSchema(schema: z.ZodType): z.ZodType | undefined {
  const def = (schema as unknown as { _zod: { def: { type: string; innerType?: z.ZodType; in?: z.ZodType } } })._zod.def;
  if (def.innerType) return def.innerType;
  if (def.type === 'pipe') return def.in;
  return undefined;
}

function objectShape(schema: z.ZodType): Record<string, z.ZodType> | undefined {
  let current: z.ZodType | undefined = schema;
  while (current) {
    if (current instanceof z.ZodObject) return current.shape as Record<string, z.ZodType>;
    current = innerSchema(current);
  }
  return undefined;
}

/**
 * Lists the dotted paths of secret fields in a config schema (nested objects included).
 *
 * @example
 * secretPaths(z.object({ token: secret(), auth: z.object({ key: secret() }) })) // ['token', 'auth.key']
 */
export function secretPaths(schema: z.ZodType, prefix = ''): string[] {
  const shape = objectShape(schema);
  if (!shape) return [];
  const paths: string[] = [];
  for (const [key, field] of Object.entries(shape)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (isSecretSchema(field)) paths.push(path);
    else paths.push(...secretPaths(field, path));
  }
  return paths;
}

/** Splits a config object into its plain part and its secret part (by dotted path). */
export function splitSecrets(config: Record<string, unknown>, paths: string[]): { plain: Record<string, unknown>; secrets: Record<string, unknown> } {
  const plain = structuredClone(config);
  const secrets: Record<string, unknown> = {};
  for (const path of paths) {
    const value = getPath(plain, path);
    if (value !== undefined) {
      secrets[path] = value;
      deletePath(plain, path);
    }
  }
  return { plain, secrets };
}

/** Puts secrets (by dotted path) back into a plain config object. */
export function joinSecrets(plain: Record<string, unknown>, secrets: Record<string, unknown>): Record<string, unknown> {
  const config = structuredClone(plain);
  for (const [path, value] of Object.entries(secrets)) setPath(config, path, value);
  return config;
}

/** Replaces secret values with `"[redacted]"`, for output shown to people. */
export function redactSecrets(config: Record<string, unknown>, paths: string[]): Record<string, unknown> {
  const copy = structuredClone(config);
  for (const path of paths) if (getPath(copy, path) !== undefined) setPath(copy, path, '[redacted]');
  return copy;
}

/** JSON Schema of a config schema, for docs and CLI prompts (secret fields carry `writeOnly: true`). */
export function configJsonSchema(schema: z.ZodType): Record<string, unknown> {
  return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}

function getPath(target: Record<string, unknown>, path: string): unknown {
  let current: unknown = target;
  for (const key of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let current = target;
  for (const key of keys.slice(0, -1)) {
    if (current[key] === null || typeof current[key] !== 'object') current[key] = {};
    current = current[key] as Record<string, unknown>;
  }
  current[keys[keys.length - 1]!] = value;
}

function deletePath(target: Record<string, unknown>, path: string): void {
  const keys = path.split('.');
  const parent = getPath(target, keys.slice(0, -1).join('.')) ?? (keys.length === 1 ? target : undefined);
  if (parent && typeof parent === 'object') delete (parent as Record<string, unknown>)[keys[keys.length - 1]!];
}
