/** Java .properties text from an ordered map. */
export function renderProperties(properties: Map<string, string>): string {
  return `${[...properties].map(([key, value]) => `${key}=${value}`).join('\n')}\n`;
}
