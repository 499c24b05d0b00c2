import type { OpenApiDocument } from './build-document';

/** The page's only policy: no script, no request anywhere (the machine may be offline), inline style only. */
export const DOCS_CSP = "default-src 'none'; style-src 'unsafe-inline'";

const esc = (s: unknown): string => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const pre = (value: unknown): string => `<pre>${esc(JSON.stringify(value, null, 2))}</pre>`;

const STYLE = `body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:70em;padding:0 1em;color:#222}
code,pre{font:12px/1.4 ui-monospace,monospace}pre{background:#f6f6f6;padding:.6em;overflow:auto;max-height:30em}
section{border-top:1px solid #ddd;padding:.4em 0}.m{display:inline-block;min-width:4.5em;font-weight:bold;text-transform:uppercase}
table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:.2em .5em;text-align:left;vertical-align:top}
details{margin:.3em 0}nav li{list-style:none}`;

type Operation = Record<string, unknown>;

function accessOf(op: Operation): string {
  const roles = (op['x-roles'] as string[] | undefined) ?? [];
  const security = (op.security as Record<string, unknown>[] | undefined) ?? [];
  if (security.length === 0) return 'public (no API key)';
  const optional = security.some((s) => Object.keys(s).length === 0);
  return `${optional ? 'public, or ' : ''}API key (x-api-key or Bearer), role: ${roles.join(' or ')}`;
}

function parametersTable(op: Operation): string {
  const params = (op.parameters as Record<string, unknown>[] | undefined) ?? [];
  if (!params.length) return '';
  const rows = params.map((p) => `<tr><td><code>${esc(p.name)}</code></td><td>${esc(p.in)}</td><td>${p.required ? 'yes' : ''}</td><td><code>${esc(JSON.stringify(p.schema))}</code>${p.description ? ` ${esc(p.description)}` : ''}</td></tr>`);
  return `<table><tr><th>parameter</th><th>in</th><th>required</th><th>schema</th></tr>${rows.join('')}</table>`;
}

function bodyOf(op: Operation): string {
  const body = op.requestBody as { required: boolean; content: Record<string, { schema: { $ref: string }; example?: unknown }> } | undefined;
  if (!body) return '';
  const media = body.content['application/json'];
  const name = media.schema.$ref.split('/').pop() ?? '';
  const example = media.example !== undefined ? `<details open><summary>example</summary>${pre(media.example)}</details>` : '';
  return `<p>Body (JSON${body.required ? '' : ', optional'}): <a href="#schema-${esc(name)}">${esc(name)}</a></p>${example}`;
}

function responsesOf(op: Operation): string {
  const responses = op.responses as Record<string, { description: string; content?: Record<string, unknown> }>;
  const rows = Object.entries(responses).map(([status, r]) => `<tr><td>${esc(status)}</td><td>${esc(r.description)}</td><td>${esc(Object.keys(r.content ?? {}).join(', '))}</td></tr>`);
  return `<table><tr><th>status</th><th>meaning</th><th>content</th></tr>${rows.join('')}</table>`;
}

function operationSection(path: string, method: string, op: Operation): string {
  return `<section id="${esc(op.operationId)}"><h3><span class="m">${esc(method)}</span> <code>${esc(path)}</code></h3>
<p>${esc(op.summary)}</p>${op.description ? `<p>${esc(op.description)}</p>` : ''}<p><em>${esc(accessOf(op))}</em></p>
${parametersTable(op)}${bodyOf(op)}${responsesOf(op)}</section>`;
}

function operationsOf(doc: OpenApiDocument): { path: string; method: string; op: Operation }[] {
  return Object.entries(doc.paths).flatMap(([path, item]) => Object.entries(item).map(([method, op]) => ({ path, method, op })));
}

/** The document as one self-contained HTML page: each operation's access, parameters, body, answers; then the schemas. */
export function renderDocsPage(doc: OpenApiDocument): string {
  const info = doc.info as { title: string; version: string; description: string };
  const ops = operationsOf(doc);
  const nav = ops.map(({ path, method, op }) => `<li><a href="#${esc(op.operationId)}"><span class="m">${esc(method)}</span> ${esc(path)}</a></li>`).join('');
  const schemas = Object.entries(doc.components.schemas).map(([name, s]) => `<section id="schema-${esc(name)}"><h3>${esc(name)}</h3>${pre(s)}</section>`).join('\n');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(info.title)} ${esc(info.version)}</title><style>${STYLE}</style></head><body>
<h1>${esc(info.title)} <small>${esc(info.version)}</small></h1><p>${esc(info.description)}</p>
<p>Machine-readable: <a href="/api/v1/openapi.json">/api/v1/openapi.json</a> (OpenAPI ${esc(doc.openapi)}).</p>
<h2>Operations</h2><nav><ul>${nav}</ul></nav>
${ops.map(({ path, method, op }) => operationSection(path, method, op)).join('\n')}
<h2>Schemas</h2>${schemas}
</body></html>`;
}
