import semver from 'semver';
import type { Component } from './components.js';
import { configJsonSchema } from './config.js';
import { SDK_VERSION, type Plugin } from './plugin.js';

const namePattern = /^[a-z][a-z0-9-]{0,62}$/;
const componentKinds: ReadonlySet<string> = new Set(['source', 'transform', 'identity-resolver', 'destination']);

/**
 * Checks that a module's default export is a plugin this SDK can run: the host refuses to load
 * a plugin with problems, and the conformance suite fails on them. Returns the problems in plain
 * words; an empty list means the plugin is well-formed.
 *
 * @example
 * validatePlugin({ id: 'Bad Id' }) // ['id "Bad Id" must be lower-case letters, …', …]
 */
export function validatePlugin(candidate: unknown): string[] {
  if (candidate === null || typeof candidate !== 'object') return ['its default export is not a plugin (use definePlugin from @weft/plugin-sdk)'];
  const plugin = candidate as Partial<Plugin>;
  const problems: string[] = [];
  if (typeof plugin.id !== 'string' || !namePattern.test(plugin.id)) {
    problems.push(`id ${JSON.stringify(plugin.id)} must be lower-case letters, digits and dashes, starting with a letter`);
  }
  if (typeof plugin.version !== 'string' || !semver.valid(plugin.version)) problems.push(`version ${JSON.stringify(plugin.version)} is not a semver version`);
  if (typeof plugin.sdk !== 'string' || !semver.validRange(plugin.sdk)) {
    problems.push(`sdk ${JSON.stringify(plugin.sdk)} is not a semver range`);
  } else if (!semver.satisfies(SDK_VERSION, plugin.sdk)) {
    problems.push(`it needs @weft/plugin-sdk ${plugin.sdk}, but this Weft provides ${SDK_VERSION}`);
  }
  if (typeof plugin.description !== 'string' || plugin.description.length === 0) problems.push('description is missing');
  if (plugin.components === null || typeof plugin.components !== 'object' || Object.keys(plugin.components).length === 0) {
    problems.push('it defines no components');
    return problems;
  }
  for (const [name, component] of Object.entries(plugin.components)) problems.push(...validateComponent(name, component));
  return problems;
}

function validateComponent(name: string, component: Component): string[] {
  const where = `component '${name}'`;
  if (!namePattern.test(name)) return [`${where}: name must be lower-case letters, digits and dashes`];
  if (component === null || typeof component !== 'object' || !componentKinds.has(component.kind)) {
    return [`${where}: kind must be one of source, transform, identity-resolver, destination`];
  }
  const problems: string[] = [];
  if (typeof component.description !== 'string' || component.description.length === 0) problems.push(`${where}: description is missing`);
  const configProblem = zodSchemaProblem(component.config);
  if (configProblem) problems.push(`${where}: config ${configProblem}`);
  else {
    const jsonSchemaProblem = jsonSchemaFailure(component.config);
    if (jsonSchemaProblem) problems.push(`${where}: config cannot be described as JSON Schema (${jsonSchemaProblem})`);
  }
  if (component.kind === 'transform' && typeof component.transform !== 'function') problems.push(`${where}: transform() is missing`);
  if (component.kind === 'identity-resolver') {
    const match = component.match as { blockingKeys?: unknown; compare?: unknown } | undefined;
    if (typeof component.identifiers !== 'function' && !match) problems.push(`${where}: an identity resolver needs identifiers() or match`);
    if (match && (typeof match.blockingKeys !== 'function' || typeof match.compare !== 'function')) {
      problems.push(`${where}: match needs blockingKeys() and compare()`);
    }
  }
  if (component.kind === 'source') {
    if (!component.handle && !component.streams && !component.assets) problems.push(`${where}: a source needs handle(), streams or assets`);
    for (const [streamName, stream] of Object.entries(component.streams ?? {})) {
      if (typeof stream?.read !== 'function') problems.push(`${where}, stream '${streamName}': read() is missing`);
    }
  }
  if (component.kind === 'destination') problems.push(...validateActions(where, component));
  return problems;
}

function validateActions(where: string, component: Extract<Component, { kind: 'destination' }>): string[] {
  if (!component.actions || Object.keys(component.actions).length === 0) return [`${where}: a destination needs at least one action`];
  const problems: string[] = [];
  if (component.onIdentityMerge !== undefined && typeof component.onIdentityMerge !== 'function') problems.push(`${where}: onIdentityMerge must be a function`);
  for (const [actionName, action] of Object.entries(component.actions)) {
    const at = `${where}, action '${actionName}'`;
    // The host names its own outbox rows `$…` (`$identity-merge`); an action must never be taken for one.
    if (actionName.startsWith('$')) problems.push(`${at}: names starting with '$' are reserved for Weft`);
    if (typeof action.perform !== 'function' && typeof action.performBatch !== 'function') problems.push(`${at}: needs perform() or performBatch()`);
    if (typeof action.defaultMapping !== 'function') problems.push(`${at}: defaultMapping() is missing`);
    const payloadProblem = zodSchemaProblem(action.payload);
    if (payloadProblem) problems.push(`${at}: payload ${payloadProblem}`);
    if (action.batch !== undefined && !(Number.isInteger(action.batch.maxItems) && action.batch.maxItems >= 1)) {
      problems.push(`${at}: batch.maxItems must be a whole number of at least 1, got ${JSON.stringify(action.batch.maxItems)}`);
    }
  }
  return problems;
}

function zodSchemaProblem(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object' || typeof (value as { safeParse?: unknown }).safeParse !== 'function') return 'must be a zod schema';
  // zod 3 schemas have safeParse too, but none of the internals JSON Schema and secrets rely on.
  if (!('_zod' in value)) return 'is a zod 3 schema; the SDK needs zod 4 (depend on zod ^4)';
  return undefined;
}

function jsonSchemaFailure(schema: Component['config']): string | undefined {
  try {
    configJsonSchema(schema);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}
