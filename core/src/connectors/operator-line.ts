const longestMessage = 300;

/** A plugin's error message as one short line for an operator, with the connector's secrets scrubbed out. */
export function operatorLine(message: string, secretValues: string[]): string {
  const scrubbed = secretValues.filter((value) => value.length >= 4).reduce((text, value) => text.split(value).join('[redacted]'), message);
  const line = scrubbed.replace(/\s+/g, ' ').trim();
  return line.length > longestMessage ? `${line.slice(0, longestMessage - 1)}…` : line;
}
