/** The shapes the admin API answers with (docs/api.md); the CLI reads only what it shows. */

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
  recentErrors: Array<{ at: string; error: string }>;
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
