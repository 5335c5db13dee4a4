/** The request every scenario sends: an OpenAI chat completion through the gateway. */
import type { Settings } from './settings.ts';

export const CHAT_PATH = '/v1/chat/completions';

export interface ChatRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  stream: boolean;
}

export function chatRequest(settings: Settings, prompt: string, stream: boolean): ChatRequest {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (settings.apiKey) headers.authorization = `Bearer ${settings.apiKey}`;
  const body: Record<string, unknown> = {
    model: settings.model,
    messages: [{ role: 'user', content: `${prompt}${settings.promptSuffix ? ` ${settings.promptSuffix}` : ''}` }],
    max_tokens: settings.maxTokens,
    // Deterministic, so the gateway's cache takes part (docs/configuration.md#cache-policy): a new
    // prompt is looked up and stored, and the cache mix's repeats are hits. A sampled request would
    // pass the cache by, and the cache mix would measure nothing.
    temperature: 0,
  };
  // include_usage: the usage chunk before [DONE] gives the completion tokens of tokens/s.
  if (stream) Object.assign(body, { stream: true, stream_options: { include_usage: true } });
  return { url: `${settings.targetUrl}${CHAT_PATH}`, headers, body: JSON.stringify(body), stream };
}
