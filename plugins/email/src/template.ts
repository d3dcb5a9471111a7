/**
 * Message templates: text with `{{ path }}` placeholders filled from a message's variables, e.g.
 * `Hi {{traits.firstName ?? "there"}}`. Deliberately tiny (no loops, no conditions): anything
 * richer belongs in the connector's JSONata mapping, which can compute any variable first.
 */

/** A compiled template: call it with the variables to get the text. */
export type Template = (variables: Record<string, unknown>) => string;

/** Where a template's output goes, which decides how values are escaped. */
export type TemplateFormat = 'text' | 'html' | 'header';

const placeholder = /\{\{([^{}]*)\}\}/g;
const expression = /^\s*([A-Za-z_$][\w$-]*(?:\.[\w$-]+)*)\s*(?:\?\?\s*"([^"\\]*)"\s*)?$/;

/**
 * Checks a template without compiling it: the problem with the first bad placeholder, or `undefined`.
 *
 * @example
 * templateProblem('Hi {{traits.first name}}') // '"{{traits.first name}}" is not a placeholder: …'
 */
export function templateProblem(source: string): string | undefined {
  for (const match of source.matchAll(placeholder)) {
    if (!expression.test(match[1]!)) {
      return `"${match[0]}" is not a placeholder: write {{path.to.value}} or {{path.to.value ?? "fallback"}}`;
    }
  }
  const rest = source.replace(placeholder, '');
  if (rest.includes('{{') || rest.includes('}}')) return 'has an unmatched "{{" or "}}"';
  return undefined;
}

/**
 * Compiles a template once; a missing or empty value renders its fallback (or nothing). In `html`
 * every value is HTML-escaped, so a trait can never inject markup; in `header` line breaks are
 * removed, so a trait can never add a header.
 *
 * @example
 * compileTemplate('<p>Hi {{traits.firstName}}</p>', 'html')({ traits: { firstName: '<b>Ada</b>' } }) // '<p>Hi &lt;b&gt;Ada&lt;/b&gt;</p>'
 */
export function compileTemplate(source: string, format: TemplateFormat): Template {
  const problem = templateProblem(source);
  if (problem) throw new Error(`template ${problem}`);
  const parts: Array<string | { path: string[]; fallback: string }> = [];
  let last = 0;
  for (const match of source.matchAll(placeholder)) {
    const [, path, fallback = ''] = expression.exec(match[1]!)!;
    parts.push(source.slice(last, match.index), { path: path!.split('.'), fallback });
    last = match.index + match[0].length;
  }
  parts.push(source.slice(last));
  const escape = escapers[format];
  return (variables) =>
    parts
      .map((part) => {
        if (typeof part === 'string') return part;
        const value = lookup(variables, part.path);
        return escape(value === undefined || value === null || value === '' ? part.fallback : stringify(value));
      })
      .join('');
}

const escapers: Record<TemplateFormat, (value: string) => string> = {
  text: (value) => value,
  html: (value) => value.replace(/[&<>"']/g, (char) => htmlEntities[char]!),
  header: (value) => value.replace(/[\r\n]+/g, ' '),
};

const htmlEntities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

function lookup(variables: unknown, path: string[]): unknown {
  let value = variables;
  for (const key of path) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, key)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

function stringify(value: unknown): string {
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}
