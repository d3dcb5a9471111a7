export interface Column<Row> {
  header: string;
  value: (row: Row) => string | number | boolean | null | undefined;
}

/**
 * A plain-text table with a header row; columns are as wide as their widest cell.
 *
 * @example
 * renderTable(connectors, [{ header: 'ID', value: (c) => c.id }, { header: 'STATUS', value: (c) => c.status }])
 * // ID        STATUS
 * // shop-web  active
 */
export function renderTable<Row>(rows: Row[], columns: Column<Row>[]): string {
  const cells = rows.map((row) => columns.map((column) => cellText(column.value(row))));
  const widths = columns.map((column, i) => Math.max(column.header.length, ...cells.map((line) => line[i]!.length)));
  const format = (line: string[]) =>
    line
      .map((cell, i) => (i === line.length - 1 ? cell : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [format(columns.map((column) => column.header)), ...cells.map(format)].join('\n');
}

/**
 * Aligned `key: value` lines for one record.
 *
 * @example
 * renderFields([['Status', 'paused'], ['Reason', 'auth failed']])
 */
export function renderFields(fields: Array<[string, string | number | boolean | null | undefined]>): string {
  const width = Math.max(...fields.map(([label]) => label.length)) + 1;
  return fields.map(([label, value]) => `${`${label}:`.padEnd(width)} ${cellText(value)}`).join('\n');
}

function cellText(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined || value === '') return '-';
  return String(value).replace(/\s*\n\s*/g, ' ');
}
