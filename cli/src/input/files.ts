import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { badInput } from '../errors.js';

/**
 * Reads a YAML (or JSON, which is YAML) file into plain data; a missing file or a syntax error
 * becomes one message naming the file, line and column.
 *
 * @example
 * const config = readYamlFile('weft.yaml');
 */
export function readYamlFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw badInput(code === 'ENOENT' ? `File ${path} does not exist` : `Cannot read ${path}: ${(error as Error).message}`);
  }
  const document = parseDocument(text, { prettyErrors: false });
  const [first] = document.errors;
  if (first) {
    const where = first.linePos?.[0] ? ` (line ${first.linePos[0].line}, column ${first.linePos[0].col})` : '';
    throw badInput(`${path} is not valid YAML${where}: ${first.message.split('\n')[0]}`);
  }
  return document.toJS();
}
