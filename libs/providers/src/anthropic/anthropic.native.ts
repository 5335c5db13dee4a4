import { NATIVE_DIALECTS, type NativeRequest } from '@llm-connector-hub/core';
import type { NativeWire } from '../shared';

/** Messages endpoint, relative to a base URL without `/v1` (the Anthropic SDK's convention). */
export const ANTHROPIC_CHAT_PATH = '/v1/messages';

/**
 * Anthropic Messages requests passed through as the client wrote them (thinking blocks and their
 * signatures, `cache_control`, server tools, fields we do not know yet). With the body go the
 * client's `anthropic-version` (the version its body is written for) and `anthropic-beta` (the
 * features it uses), and nothing else of its headers: the key is the provider's own.
 * `configured` is the provider's own headers: betas configured there are kept beside the client's.
 */
export function anthropicNativeWire(configured: Readonly<Record<string, string>>): NativeWire {
  const configuredBetas = betaList(configured['anthropic-beta']);
  return {
    dialect: NATIVE_DIALECTS.anthropicMessages,
    path: () => ANTHROPIC_CHAT_PATH,
    headers: (native: NativeRequest) => {
      const headers: Record<string, string> = {};
      const version = native.headers['anthropic-version'];
      if (version) headers['anthropic-version'] = version;
      const clientBetas = betaList(native.headers['anthropic-beta']);
      if (clientBetas.length > 0) headers['anthropic-beta'] = [...new Set([...configuredBetas, ...clientBetas])].join(',');
      return headers;
    },
  };
}

/** `anthropic-beta` is a comma-separated list of feature names. */
function betaList(value: string | undefined): string[] {
  if (!value) return [];
  return value
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
}
