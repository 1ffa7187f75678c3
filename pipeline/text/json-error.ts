/**
 * JSON.parse's complaint with the line and column it points at: Node 20 names only a character offset
 * ("at position 39"), which a person editing a config file cannot find.
 */
export function jsonError(text: string, e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  const at = /at position (\d+)/.exec(message);
  if (!at || /line \d+ column \d+/.test(message)) return message;
  const before = text.slice(0, Number(at[1]));
  return `${message} (line ${before.split('\n').length}, column ${before.length - before.lastIndexOf('\n')})`;
}
