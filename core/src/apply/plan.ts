import { isDeepStrictEqual } from 'node:util';
import { eq } from 'drizzle-orm';
import { joinSecrets, secretPaths, splitSecrets, type Component } from '@weft/plugin-sdk';
import { connectors, identitySettings, pipelines } from '../db/schema/index.js';
import type { FieldIssue } from '../errors.js';
import { precedenceSources, type TraitPrecedence } from '../identity/traits.js';
import type { DroppedDefaults } from '../identity/type-changes.js';
import { referencedConnectors } from '../pipelines/service.js';
import type { Runtime } from '../runtime.js';
import type { ConnectorEntry, IdentifierTypeEntry, IdentitySection, PipelineEntry, WeftYaml } from './model.js';

export type PlanAction = 'create' | 'update' | 'delete' | 'unchanged';
/** What a plan item is about; `identity-settings` is the one item of the trait precedence rules. */
export const planKinds = ['plugin', 'identifier-type', 'identity-settings', 'connector', 'pipeline'] as const;
export type PlanKind = (typeof planKinds)[number];

/**
 * One line of the plan `weft apply` shows. `changes` names changed fields, never their values;
 * `droppedDefaults`, on an identifier type, the default blocked values and patterns it removes.
 */
export interface PlanItem {
  action: PlanAction;
  kind: PlanKind;
  id: string;
  changes?: string[];
  droppedDefaults?: DroppedDefaults;
}

/** A plan item and what applying it does; a created source answers its first write key. */
export interface PlanStep {
  item: PlanItem;
  apply?: () => Promise<{ writeKey?: string | undefined } | void>;
}

/** Marks objects `weft apply` created, so a later apply may delete them once they leave the file. */
export const appliedMark = 'apply';

type ConnectorRow = typeof connectors.$inferSelect;
type PipelineRow = typeof pipelines.$inferSelect;

/**
 * Compares `weft.yaml` with the server and returns the steps that make the server match it:
 * identity configuration, connectors, then pipelines, then deletions in reverse dependency order.
 * Problems are collected into `issues` (paths into the file) rather than thrown, so a person sees
 * all of them at once.
 * With `pluginsPending`, connectors of plugins not loaded yet are planned without validation.
 */
export async function planResources(runtime: Runtime, config: WeftYaml, issues: FieldIssue[], pluginsPending: boolean): Promise<PlanStep[]> {
  const connectorRows = await runtime.db.select().from(connectors);
  const pipelineRows = await runtime.db.select().from(pipelines);
  const fileConnectorIds = new Set(config.connectors.map((entry) => entry.id));
  const filePipelineIds = new Set(config.pipelines.map((entry) => entry.id));
  const removedConnectors = connectorRows.filter((row) => row.managedBy === appliedMark && !fileConnectorIds.has(row.id));
  const removedPipelines = pipelineRows.filter((row) => row.managedBy === appliedMark && !filePipelineIds.has(row.id));

  const connectorsAfter = new Set([...connectorRows.map((row) => row.id), ...fileConnectorIds].filter((id) => !removedConnectors.some((row) => row.id === id)));

  // Identity first, so events reaching a source this apply creates are resolved with the file's types.
  const steps: PlanStep[] = config.identity ? await planIdentity(runtime, config.identity, connectorsAfter, issues) : [];
  for (const [index, entry] of config.connectors.entries()) {
    const row = connectorRows.find((candidate) => candidate.id === entry.id);
    steps.push(await planConnector(runtime, entry, `connectors.${index}`, row, issues, pluginsPending));
  }
  for (const [index, entry] of config.pipelines.entries()) {
    checkReferences(pipelineReferences(entry, `pipelines.${index}`), connectorsAfter, issues);
    steps.push(planPipeline(runtime, entry, pipelineRows.find((row) => row.id === entry.id)));
  }

  const pipelinesAfter = [
    ...config.pipelines.map((entry) => ({ id: entry.id, ids: referencedConnectors(entry) })),
    ...pipelineRows
      .filter((row) => !filePipelineIds.has(row.id) && !removedPipelines.includes(row))
      .map((row) => ({ id: row.id, ids: referencedConnectors(row.spec) })),
  ];
  for (const row of removedConnectors) {
    const users = pipelinesAfter.filter((pipeline) => pipeline.ids.includes(row.id)).map((pipeline) => `'${pipeline.id}'`);
    if (users.length > 0) {
      issues.push({ path: 'connectors', message: `connector '${row.id}' left the file, but pipeline ${users.join(', ')} still uses it` });
    }
  }
  for (const row of removedPipelines) {
    steps.push({ item: { action: 'delete', kind: 'pipeline', id: row.id }, apply: () => runtime.pipelines.remove(row.id) });
  }
  for (const row of removedConnectors) {
    steps.push({
      item: { action: 'delete', kind: 'connector', id: row.id },
      apply: async () => {
        await runtime.connectors.remove(row.id);
        runtime.connectors.forgetCachedKeys();
      },
    });
  }
  return steps;
}

/**
 * Plans the identity section: each identifier type it lists, then the trait precedence if given.
 * Types the file leaves out are left alone: `identifier_types` does not record who configured a
 * type, so apply cannot tell one it set from one a person set with the API.
 */
async function planIdentity(runtime: Runtime, section: IdentitySection, connectorsAfter: Set<string>, issues: FieldIssue[]): Promise<PlanStep[]> {
  const configured = new Set((await runtime.identityTypes.list()).map((type) => type.type));
  const steps: PlanStep[] = [];
  for (const [index, entry] of section.types.entries()) steps.push(await planIdentifierType(runtime, entry, configured.has(entry.type), `identity.types.${index}`, issues));
  if (section.traitPrecedence) {
    checkReferences(precedenceSources(section.traitPrecedence, 'identity.traitPrecedence'), connectorsAfter, issues);
    steps.push(await planTraitPrecedence(runtime, section.traitPrecedence));
  }
  return steps;
}

const typeFields = ['scoped', 'normalizer', 'limit', 'priority', 'blocked', 'blockedPatterns'] as const;

/**
 * A type's fields the file gives replace the ones in force (`add…` lists append to them); the ones
 * it leaves out keep their value. What `PUT /identity/types/:type` would refuse becomes an issue.
 */
async function planIdentifierType(runtime: Runtime, entry: IdentifierTypeEntry, configured: boolean, path: string, issues: FieldIssue[]): Promise<PlanStep> {
  const { type, ...fields } = entry;
  const { current, next, droppedDefaults, problems } = await runtime.identityTypes.planChange(type, fields);
  issues.push(...problems.map((problem) => ({ path: `${path}.${problem.field}`, message: problem.message })));
  const dropped = droppedDefaults.blocked.length + droppedDefaults.blockedPatterns.length > 0 ? { droppedDefaults } : {};
  const apply = async () => {
    await runtime.identityTypes.put(type, fields);
  };
  if (!configured) return { item: { action: 'create', kind: 'identifier-type', id: type, ...dropped }, apply };
  const changes = typeFields.filter((field) => !isDeepStrictEqual(next[field], current[field]));
  if (changes.length === 0) return { item: { action: 'unchanged', kind: 'identifier-type', id: type } };
  return { item: { action: 'update', kind: 'identifier-type', id: type, changes, ...dropped }, apply };
}

/** The rules are one list: the file's replaces the stored one; `changes` names the rules that differ. */
async function planTraitPrecedence(runtime: Runtime, desired: TraitPrecedence): Promise<PlanStep> {
  const id = 'traitPrecedence';
  const apply = () => runtime.identity.setTraitPrecedence(desired);
  const [stored] = await runtime.db.select({ key: identitySettings.key }).from(identitySettings).where(eq(identitySettings.key, id));
  if (!stored) return { item: { action: 'create', kind: 'identity-settings', id }, apply };
  const current = await runtime.identity.traitPrecedence();
  const [before, after] = [asJson(current), asJson(desired)];
  const changes = Array.from({ length: Math.max(current.length, desired.length) }, (_, index) => index)
    .filter((index) => !isDeepStrictEqual(before[index], after[index]))
    .map((index) => `rules.${index}`);
  if (changes.length === 0) return { item: { action: 'unchanged', kind: 'identity-settings', id } };
  return { item: { action: 'update', kind: 'identity-settings', id, changes }, apply };
}

async function planConnector(
  runtime: Runtime,
  entry: ConnectorEntry,
  path: string,
  row: ConnectorRow | undefined,
  issues: FieldIssue[],
  pluginsPending: boolean,
): Promise<PlanStep> {
  const component = runtime.registry.get(entry.plugin)?.plugin.components[entry.component];
  const unchanged: PlanStep = { item: { action: 'unchanged', kind: 'connector', id: entry.id } };
  if (!row) {
    const create: PlanStep = {
      item: { action: 'create', kind: 'connector', id: entry.id },
      apply: async () => {
        const { writeKey } = await runtime.connectors.create(entry);
        await runtime.db.update(connectors).set({ managedBy: appliedMark }).where(eq(connectors.id, entry.id));
        return { writeKey };
      },
    };
    if (component) validateConfig(component, entry.config, `${path}.config`, issues);
    else if (!pluginsPending) issues.push(unknownComponent(runtime, entry, path));
    return create;
  }
  if (row.pluginId !== entry.plugin || row.component !== entry.component) {
    issues.push({
      path: `${path}.plugin`,
      message: `connector '${entry.id}' is a ${row.pluginId}/${row.component}; a connector cannot change plugin or component (remove it first, or use a new id)`,
    });
    return unchanged;
  }
  let resolved;
  try {
    resolved = await runtime.connectors.resolve(entry.id);
  } catch (error) {
    issues.push({ path, message: (error as Error).message });
    return unchanged;
  }
  // Secret fields the file leaves out keep their stored value; ones it gives are compared decrypted.
  const paths = secretPaths(resolved.component.config);
  const incoming = splitSecrets(entry.config, paths);
  const merged = joinSecrets(incoming.plain, { ...splitSecrets(resolved.config, paths).secrets, ...incoming.secrets });
  const desiredConfig = validateConfig(resolved.component, merged, `${path}.config`, issues);
  if (!desiredConfig) return unchanged;

  const changes = [
    ...changedKeys(resolved.config, desiredConfig).map((key) => `config.${key}`),
    ...changedKeys(resolved.settings, entry.settings).map((key) => `settings.${key}`),
    ...((entry.description ?? null) !== row.description ? ['description'] : []),
    ...(entry.enabled !== row.enabled ? ['enabled'] : []),
  ];
  if (changes.length === 0) return unchanged;
  return {
    item: { action: 'update', kind: 'connector', id: entry.id, changes },
    apply: async () => {
      // Only what changed is sent: re-sending `enabled: true` would resume a connector paused for a reason.
      await runtime.connectors.update(entry.id, {
        ...(changes.some((change) => change.startsWith('config.')) ? { config: entry.config } : {}),
        ...(changes.some((change) => change.startsWith('settings.')) ? { settings: entry.settings } : {}),
        ...(changes.includes('description') ? { description: entry.description ?? null } : {}),
        ...(changes.includes('enabled') ? { enabled: entry.enabled } : {}),
      });
      if (changes.includes('enabled') && !entry.enabled) runtime.connectors.forgetCachedKeys();
    },
  };
}

function planPipeline(runtime: Runtime, entry: PipelineEntry, row: PipelineRow | undefined): PlanStep {
  const { id, description, enabled, ...spec } = entry;
  if (!row) {
    return {
      item: { action: 'create', kind: 'pipeline', id },
      apply: async () => {
        await runtime.pipelines.create(id, { description, enabled, spec });
        await runtime.db.update(pipelines).set({ managedBy: appliedMark }).where(eq(pipelines.id, id));
      },
    };
  }
  const changes = [
    ...((description ?? null) !== row.description ? ['description'] : []),
    ...(enabled !== row.enabled ? ['enabled'] : []),
    ...changedKeys(row.spec, spec),
  ];
  if (changes.length === 0) return { item: { action: 'unchanged', kind: 'pipeline', id } };
  return {
    item: { action: 'update', kind: 'pipeline', id, changes },
    apply: async () => {
      await runtime.pipelines.update(id, { description: description ?? null, enabled, spec });
    },
  };
}

function validateConfig(component: Component, config: Record<string, unknown>, path: string, issues: FieldIssue[]): Record<string, unknown> | undefined {
  const parsed = component.config.safeParse(config);
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues) {
    const field = issue.path.map(String).join('.');
    issues.push({ path: field ? `${path}.${field}` : path, message: issue.message });
  }
  return undefined;
}

function unknownComponent(runtime: Runtime, entry: ConnectorEntry, path: string): FieldIssue {
  try {
    runtime.registry.component(entry.plugin, entry.component);
    return { path, message: `component ${entry.plugin}/${entry.component} is unavailable` };
  } catch (error) {
    const field = runtime.registry.get(entry.plugin) ? 'component' : 'plugin';
    return { path: `${path}.${field}`, message: (error as Error).message };
  }
}

/** The connector ids a pipeline names, each with its path in the file. */
function pipelineReferences(entry: PipelineEntry, path: string): Array<[id: string, path: string]> {
  return [
    ...entry.sources.map((id, i): [string, string] => [id, `${path}.sources.${i}`]),
    ...entry.transforms.map((step, i): [string, string] => [step.connector, `${path}.transforms.${i}`]),
    ...entry.destinations.map((step, i): [string, string] => [step.connector, `${path}.destinations.${i}`]),
  ];
}

function checkReferences(references: Array<[id: string, path: string]>, known: Set<string>, issues: FieldIssue[]): void {
  for (const [id, at] of references) {
    if (!known.has(id)) issues.push({ path: at, message: `connector '${id}' is neither in this file nor on the server` });
  }
}

/** Top-level keys whose values differ as JSON (so `undefined` and a missing key are the same). */
function changedKeys(current: object, desired: object): string[] {
  const before = asJson(current);
  const after = asJson(desired);
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return keys.filter((key) => !isDeepStrictEqual(before[key], after[key]));
}

function asJson(value: object): Record<string, unknown> {
  return JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
}
