/** The shapes the admin API answers with (docs/api.md); the CLI reads only what it shows. */

import type { FieldContribution } from '@weft/plugin-sdk';

export interface PluginComponentInfo {
  name: string;
  kind: string;
  title?: string;
  description: string;
  configSchema: JsonSchema;
  secretFields: string[];
  actions?: Array<{ name: string; title?: string; description: string; types?: string[]; batch?: { maxItems: number } }>;
  streams?: string[];
  assets?: string[];
}

export interface JsonSchema {
  type?: string | string[];
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  default?: unknown;
  enum?: unknown[];
  writeOnly?: boolean;
  [key: string]: unknown;
}

export interface PluginInfo {
  id: string;
  version: string;
  sdk: string;
  description: string;
  components: PluginComponentInfo[];
  origin: 'workspace' | 'installed';
  specifier: string;
}

export interface ConnectorView {
  id: string;
  plugin: string;
  component: string;
  kind: string;
  description: string | null;
  config: Record<string, unknown>;
  settings: Record<string, unknown>;
  enabled: boolean;
  status: string;
  statusReason: string | null;
  statusChangedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface ConnectorStatus {
  connector: ConnectorView;
  queue?: { pending: number; due: number; retrying: number; dead: number; delivered: number; oldestPendingAgeSeconds: number | null };
  ingest?: { events: number; lastEventAt: string | null };
  pulls?: Array<{ stream: string; running: boolean; cursor: PullCursor | null; lastRun: PullRun | null }>;
  recentErrors: Array<{ at: string; error: string }>;
}

export interface PullCursor {
  value: string | number;
  id?: string;
}

/** How one run of a pull stream ended (`weft connectors sync`, `weft connectors status`). */
export interface PullRun {
  stream: string;
  outcome: 'ok' | 'failed' | 'paused' | 'stopped' | 'busy';
  startedAt: string;
  finishedAt: string;
  records: number;
  accepted: number;
  duplicates: number;
  cursor: PullCursor | null;
  error: string | null;
}

export interface ConnectorTestResult {
  ok: boolean;
  message: string;
  durationMs: number;
}

export interface PipelineView {
  id: string;
  description: string | null;
  enabled: boolean;
  spec: {
    sources: string[];
    transforms: Array<{ connector: string; onError: string }>;
    destinations: Array<{ connector: string; actions?: string[] }>;
  };
  createdAt: string;
  updatedAt: string;
}

export interface EventView {
  id: number;
  sourceId: string;
  messageId: string;
  type: string;
  receivedAt: string;
  state: string;
  error: string | null;
  payload: Record<string, unknown>;
}

export interface DeliveryAttempt {
  at: string;
  outcome: string;
  error?: string;
  status?: number;
  nextAttemptAt?: string;
}

export interface DeliveryView {
  id: number;
  connectorId: string;
  action: string;
  eventId: number | null;
  messageId: string;
  status: 'pending' | 'delivered' | 'dead';
  attempts: number;
  nextAttemptAt: string;
  lastError: string | null;
  history: DeliveryAttempt[];
  createdAt: string;
  updatedAt: string;
  deliveredAt: string | null;
}

export interface ReplayResult {
  matched: number;
  replayed: number;
  remaining: number;
}

export interface PlanStep {
  action: 'create' | 'update' | 'delete' | 'unchanged';
  kind: string;
  id: string;
  changes?: string[];
}

export interface ApplyResult {
  plan: PlanStep[];
  applied: boolean;
  writeKeys: Record<string, string>;
}

export interface IngestResult {
  accepted: number;
  duplicates: number;
}

// ---------------------------------------------------------------- identity (docs/identity.md, docs/api.md)

/** A typed identifier as the API shows it; `scope` is the namespace of per-app types (a WeChat app id). */
export interface IdentifierView {
  type: string;
  scope: string | null;
  value: string;
}

export interface ProfileIdentity extends IdentifierView {
  firstSeenAt: string;
  lastSeenAt: string;
}

/** Where a trait's current value came from. */
export interface TraitSource {
  source: string;
  at: string;
  eventId: number | null;
}

export interface Profile {
  id: string;
  traits: Record<string, unknown>;
  traitSources: Record<string, TraitSource>;
  identities: ProfileIdentity[];
  firstSeenAt: string | null;
  lastSeenAt: string | null;
  eventCount: number;
  createdAt: string;
}

/** `GET /profiles/:id` and `GET /profiles?identifier=`: `redirectedFrom` when the id was merged away. */
export interface ProfileLookup {
  profile: Profile;
  redirectedFrom?: string;
}

export interface TimelineEvent {
  eventId: number;
  messageId: string;
  sourceId: string;
  type: string;
  event: string | null;
  occurredAt: string;
  properties: Record<string, unknown> | null;
  traits: Record<string, unknown> | null;
}

export interface IdentityLink {
  id: number;
  from: IdentifierView;
  to: IdentifierView;
  rule: string;
  confidence: number;
  eventId: number | null;
  at: string;
  removedAt: string | null;
  evidence: Record<string, unknown> | null;
}

export interface LedgerEntry {
  id: number;
  at: string;
  kind: 'created' | 'linked' | 'merged' | 'conflict' | 'unmerged' | 'review';
  otherProfileId: string | null;
  summary: string;
  eventId: number | null;
  rule: string | null;
  confidence: number | null;
  details: Record<string, unknown> | null;
}

export interface Explanation {
  profileId: string;
  identities: ProfileIdentity[];
  links: IdentityLink[];
  ledger: LedgerEntry[];
}

export interface IdentifierType {
  type: string;
  scoped: boolean;
  normalizer: string;
  limit: number | null;
  priority: number;
  blocked: string[];
  blockedPatterns: string[];
  builtIn: boolean;
}

/** A probabilistic match waiting for (or past) a person's decision; `fields` as the resolver scored them. */
export interface Review {
  id: number;
  resolver: string;
  profiles: [string, string];
  probability: number;
  weight: number;
  fields: FieldContribution[];
  status: 'pending' | 'accepted' | 'rejected';
  createdAt: string;
  decidedAt: string | null;
}

export interface MatchRun {
  id: number;
  resolver: string;
  status: 'running' | 'done' | 'failed' | 'interrupted';
  total: number;
  processed: number;
  compared: number;
  linked: number;
  queued: number;
  error: string | null;
  startedAt: string;
  finishedAt: string | null;
}
