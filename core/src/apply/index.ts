import { invalid, zodIssues, type FieldIssue } from '../errors.js';
import { findLoadedPlugin, installPlugin } from '../plugins/install.js';
import type { Runtime } from '../runtime.js';
import { weftYamlSchema, type WeftYaml } from './model.js';
import { planResources, type PlanItem, type PlanStep } from './plan.js';

export { weftYamlSchema, type WeftYaml, type WeftYamlInput } from './model.js';
export { planKinds, type PlanItem, type PlanAction, type PlanKind } from './plan.js';

export interface ApplyResult {
  plan: PlanItem[];
  /** False for a dry run: nothing was changed. */
  applied: boolean;
  /** The first write key of each source this apply created, shown only here. */
  writeKeys: Record<string, string>;
}

/**
 * Checks the shape of a `weft.yaml` (already read into plain data). A 400 names each problem by its
 * path in the file (`identity.types.0.limit`), as the checks against the server do.
 *
 * @example
 * const config = parseWeftYaml(YAML.parse(text));
 */
export function parseWeftYaml(input: unknown): WeftYaml {
  const parsed = weftYamlSchema.safeParse(input);
  if (!parsed.success) throw weftYamlInvalid(zodIssues(parsed.error.issues));
  return parsed.data;
}

/**
 * Makes the server match a `weft.yaml`: adds plugins, sets the identifier types and trait
 * precedence it lists, creates or updates connectors and pipelines, and deletes the connectors and
 * pipelines an earlier apply created that the file no longer has. Everything is
 * checked before anything changes (a 400 lists every problem with its path in the file); a dry
 * run only answers the plan. Applying the same file again plans nothing but `unchanged`.
 *
 * @example
 * const { plan, writeKeys } = await applyWeftYaml(runtime, parseWeftYaml(yaml), { dryRun: false });
 */
export async function applyWeftYaml(runtime: Runtime, config: WeftYaml, options: { dryRun: boolean }): Promise<ApplyResult> {
  const pluginSteps = config.plugins.map((specifier): PlanStep => {
    if (findLoadedPlugin(runtime.registry, specifier)) return { item: { action: 'unchanged', kind: 'plugin', id: specifier } };
    return { item: { action: 'create', kind: 'plugin', id: specifier }, apply: () => installPlugin(runtime.registry, runtime.db, specifier).then(() => undefined) };
  });
  // Connectors can only be checked against their plugin's schema once the plugin is loaded.
  if (!options.dryRun) for (const step of pluginSteps) await step.apply?.();
  const pluginsPending = options.dryRun && pluginSteps.some((step) => step.apply);

  const issues: FieldIssue[] = [];
  const steps = await planResources(runtime, config, issues, pluginsPending);
  if (issues.length > 0) throw weftYamlInvalid(issues);
  const plan = [...pluginSteps, ...steps].map((step) => step.item);
  if (options.dryRun) return { plan, applied: false, writeKeys: {} };

  const writeKeys: Record<string, string> = {};
  for (const step of steps) {
    const outcome = await step.apply?.();
    if (outcome?.writeKey) writeKeys[step.item.id] = outcome.writeKey;
  }
  return { plan, applied: true, writeKeys };
}

/** The 400 for problems in a weft.yaml: one names its path and message, several say how many. */
function weftYamlInvalid(issues: FieldIssue[]) {
  return invalid(issues.length === 1 ? `weft.yaml: ${issues[0]!.path}: ${issues[0]!.message}` : `weft.yaml has ${issues.length} problems; see issues`, issues);
}
