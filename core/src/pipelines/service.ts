import { asc, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../db/client.js';
import { connectors, pipelines, type PipelineSpec } from '../db/schema/index.js';
import { WeftError, invalid, notFound, zodIssues } from '../errors.js';
import type { PluginRegistry } from '../plugins/registry.js';

export const pipelineIdPattern = /^[a-z0-9][a-z0-9_-]{0,62}$/;

export const pipelineSpecSchema = z
  .object({
    sources: z.array(z.string().min(1)).min(1, 'a pipeline needs at least one source connector'),
    transforms: z
      .array(
        z.union([
          z.string().min(1).transform((connector) => ({ connector, onError: 'fail' as const })),
          z.object({ connector: z.string().min(1), onError: z.enum(['fail', 'skip-step', 'drop']).default('fail') }).strict(),
        ]),
      )
      .default([]),
    destinations: z
      .array(
        z.union([
          z.string().min(1).transform((connector): { connector: string; actions?: string[] } => ({ connector })),
          z.object({ connector: z.string().min(1), actions: z.array(z.string().min(1)).min(1).optional() }).strict(),
        ]),
      )
      .default([]),
  })
  .strict();

export type PipelineSpecInput = z.input<typeof pipelineSpecSchema>;

export interface PipelineView {
  id: string;
  description: string | null;
  enabled: boolean;
  spec: PipelineSpec;
  createdAt: string;
  updatedAt: string;
}

/** Pipelines: which sources feed which transforms and destinations. Checked against existing connectors. */
export class PipelineService {
  #cache: { at: number; rows: PipelineView[] } | undefined;

  constructor(
    private readonly db: Db,
    private readonly registry: PluginRegistry,
  ) {}

  async create(id: string, input: { description?: string | undefined; spec: PipelineSpecInput; enabled?: boolean | undefined }): Promise<PipelineView> {
    if (!pipelineIdPattern.test(id)) throw invalid(`Pipeline id '${id}' must be 1-63 lower-case letters, digits, '-' or '_'`);
    const spec = await this.#validate(id, input.spec);
    const existing = await this.db.select({ id: pipelines.id }).from(pipelines).where(eq(pipelines.id, id));
    if (existing.length > 0) throw new WeftError(409, 'conflict', `Pipeline '${id}' already exists`);
    await this.db.insert(pipelines).values({ id, description: input.description ?? null, spec, enabled: input.enabled ?? true });
    this.invalidate();
    return this.get(id);
  }

  async update(id: string, input: { description?: string | null | undefined; spec?: PipelineSpecInput | undefined; enabled?: boolean | undefined }): Promise<PipelineView> {
    await this.get(id);
    const values: Partial<typeof pipelines.$inferInsert> = { updatedAt: new Date() };
    if (input.spec !== undefined) values.spec = await this.#validate(id, input.spec);
    if (input.description !== undefined) values.description = input.description;
    if (input.enabled !== undefined) values.enabled = input.enabled;
    await this.db.update(pipelines).set(values).where(eq(pipelines.id, id));
    this.invalidate();
    return this.get(id);
  }

  async remove(id: string): Promise<void> {
    await this.get(id);
    await this.db.delete(pipelines).where(eq(pipelines.id, id));
    this.invalidate();
  }

  async get(id: string): Promise<PipelineView> {
    const [row] = await this.db.select().from(pipelines).where(eq(pipelines.id, id));
    if (!row) throw notFound('Pipeline', id);
    return toView(row);
  }

  async list(): Promise<PipelineView[]> {
    const rows = await this.db.select().from(pipelines).orderBy(asc(pipelines.id));
    return rows.map(toView);
  }

  /** Enabled pipelines fed by a source connector; cached for a second, dropped on any change here. */
  async forSource(sourceId: string): Promise<PipelineView[]> {
    const now = Date.now();
    if (!this.#cache || now - this.#cache.at > 1_000) this.#cache = { at: now, rows: await this.list() };
    return this.#cache.rows.filter((pipeline) => pipeline.enabled && pipeline.spec.sources.includes(sourceId));
  }

  invalidate(): void {
    this.#cache = undefined;
  }

  async #validate(id: string, input: PipelineSpecInput): Promise<PipelineSpec> {
    const parsed = pipelineSpecSchema.safeParse(input);
    if (!parsed.success) throw invalid(`Pipeline '${id}' is invalid`, zodIssues(parsed.error.issues, 'spec'));
    const spec: PipelineSpec = parsed.data;
    const rows = await this.db.select({ id: connectors.id, kind: connectors.kind, pluginId: connectors.pluginId, component: connectors.component }).from(connectors);
    const byId = new Map(rows.map((row) => [row.id, row]));
    const issues: Array<{ path: string; message: string }> = [];
    const expectKind = (connectorId: string, kind: string, path: string) => {
      const row = byId.get(connectorId);
      if (!row) issues.push({ path, message: `connector '${connectorId}' does not exist` });
      else if (row.kind !== kind) issues.push({ path, message: `connector '${connectorId}' is a ${row.kind}, expected a ${kind}` });
      return row;
    };
    spec.sources.forEach((source, i) => expectKind(source, 'source', `spec.sources.${i}`));
    spec.transforms.forEach((step, i) => expectKind(step.connector, 'transform', `spec.transforms.${i}.connector`));
    spec.destinations.forEach((destination, i) => {
      const row = expectKind(destination.connector, 'destination', `spec.destinations.${i}.connector`);
      if (!row || !destination.actions) return;
      const component = this.registry.get(row.pluginId)?.plugin.components[row.component];
      if (component?.kind !== 'destination') return;
      for (const action of destination.actions) {
        if (!component.actions[action]) {
          issues.push({ path: `spec.destinations.${i}.actions`, message: `'${destination.connector}' has no action '${action}' (it has: ${Object.keys(component.actions).join(', ')})` });
        }
      }
    });
    if (issues.length > 0) throw invalid(`Pipeline '${id}' refers to connectors that do not fit`, issues);
    return spec;
  }
}

/**
 * Every connector a pipeline spec names: sources, transforms and destinations.
 *
 * @example
 * referencedConnectors({ sources: ['web'], transforms: [], destinations: [{ connector: 'crm' }] }) // ['web', 'crm']
 */
export function referencedConnectors(spec: Pick<PipelineSpec, 'sources' | 'transforms' | 'destinations'>): string[] {
  return [...spec.sources, ...spec.transforms.map((step) => step.connector), ...spec.destinations.map((step) => step.connector)];
}

function toView(row: typeof pipelines.$inferSelect): PipelineView {
  return {
    id: row.id,
    description: row.description,
    enabled: row.enabled,
    spec: row.spec,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
