interface PageOperation {
  summary?: string;
  description?: string;
  tags?: string[];
  parameters?: Array<{ name: string; in: string; required?: boolean; description?: string }>;
  requestBody?: { content: Record<string, { schema: unknown }> };
  responses: Record<string, { description: string; content?: Record<string, { schema: unknown }> }>;
}

interface PageDocument {
  info: { title: string; version: string; description?: string };
  paths: Record<string, Record<string, unknown>>;
  components: { schemas: Record<string, unknown> };
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

const styles = `
body{font:15px/1.5 system-ui,sans-serif;margin:0 auto;max-width:60rem;padding:1rem 2rem;color:#1f2328}
h2{border-bottom:1px solid #d0d7de;margin-top:2.5rem}
.op{border:1px solid #d0d7de;border-radius:6px;margin:.6rem 0;padding:.4rem .8rem}
.method{display:inline-block;min-width:4.5rem;font:600 13px monospace;text-transform:uppercase}
.get{color:#1a7f37}.post{color:#0969da}.patch,.put{color:#9a6700}.delete{color:#cf222e}
code,pre{font:13px monospace}pre{background:#f6f8fa;padding:.6rem;overflow:auto;max-height:24rem}
summary{cursor:pointer}.muted{color:#656d76}`;

/**
 * Renders an OpenAPI document as one HTML page: operations grouped by tag, each with its
 * parameters, request and response schemas; named schemas at the end. No scripts, no CDN.
 *
 * @example
 * c.html(renderDocsPage(openApiDocument()))
 */
export function renderDocsPage(document: PageDocument): string {
  const byTag = new Map<string, string[]>();
  for (const [path, methods] of Object.entries(document.paths)) {
    for (const [method, value] of Object.entries(methods)) {
      const operation = value as PageOperation;
      const tag = operation.tags?.[0] ?? 'Other';
      byTag.set(tag, [...(byTag.get(tag) ?? []), renderOperation(method, path, operation)]);
    }
  }
  const sections = [...byTag].map(([tag, operations]) => `<h2 id="${escapeHtml(tag)}">${escapeHtml(tag)}</h2>\n${operations.join('\n')}`);
  const schemas = Object.entries(document.components.schemas).map(
    ([name, schema]) => `<details id="schema-${escapeHtml(name)}"><summary><code>${escapeHtml(name)}</code></summary>${json(schema)}</details>`,
  );
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(document.info.title)} API ${escapeHtml(document.info.version)}</title><style>${styles}</style></head>
<body><h1>${escapeHtml(document.info.title)} API <span class="muted">${escapeHtml(document.info.version)}</span></h1>
<p>${escapeHtml(document.info.description ?? '')} Machine-readable: <a href="/openapi.json">/openapi.json</a>.</p>
<nav>${[...byTag.keys()].map((tag) => `<a href="#${escapeHtml(tag)}">${escapeHtml(tag)}</a>`).join(' · ')}</nav>
${sections.join('\n')}
<h2 id="schemas">Schemas</h2>
${schemas.join('\n')}
</body></html>`;
}

function renderOperation(method: string, path: string, operation: PageOperation): string {
  const parameters = (operation.parameters ?? [])
    .map((p) => `<li><code>${escapeHtml(p.name)}</code> <span class="muted">(${escapeHtml(p.in)}${p.required ? ', required' : ''})</span> ${escapeHtml(p.description ?? '')}</li>`)
    .join('');
  const body = operation.requestBody ? Object.values(operation.requestBody.content)[0]?.schema : undefined;
  const responses = Object.entries(operation.responses)
    .map(([status, response]) => {
      const schema = response.content ? Object.values(response.content)[0]?.schema : undefined;
      const detail = schema ? `<details><summary>schema</summary>${json(schema)}</details>` : '';
      return `<li><code>${escapeHtml(status)}</code> ${escapeHtml(response.description)}${detail}</li>`;
    })
    .join('');
  return `<div class="op"><span class="method ${escapeHtml(method)}">${escapeHtml(method)}</span> <code>${escapeHtml(path)}</code> — ${escapeHtml(operation.summary ?? '')}
${operation.description ? `<p class="muted">${escapeHtml(operation.description)}</p>` : ''}
${parameters ? `<p>Parameters</p><ul>${parameters}</ul>` : ''}
${body ? `<details><summary>Request body</summary>${json(body)}</details>` : ''}
<p>Responses</p><ul>${responses}</ul></div>`;
}

function json(value: unknown): string {
  return `<pre>${escapeHtml(JSON.stringify(value, null, 2))}</pre>`;
}
