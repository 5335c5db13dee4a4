/** Formats OpenAI-style SSE frames. */
export const SSE_DONE = 'data: [DONE]\n\n';

export function sseData(payload: unknown): string {
  return `data: ${JSON.stringify(payload)}\n\n`;
}

/**
 * An event read from an upstream (a NativeEvent) framed again as it came: its `event:` line when it
 * had one, then its data, one `data:` line per line (the parser joined them with LF).
 */
export function sseFrame(event: { event?: string; data: string }): string {
  const head = event.event === undefined ? '' : `event: ${event.event}\n`;
  return `${head}data: ${event.data.replaceAll('\n', '\ndata: ')}\n\n`;
}
