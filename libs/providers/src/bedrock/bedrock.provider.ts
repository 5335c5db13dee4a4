import { HttpChatProvider, type HttpProviderOptions } from '../shared';
import { sigV4Signer, type AwsCredentials } from './bedrock.signer';
import type { BedrockStreamState } from './bedrock.stream';
import { BedrockTranslator } from './bedrock.translator';
import type { BedrockStreamEvent } from './bedrock.wire';

export interface BedrockProviderOptions extends HttpProviderOptions, AwsCredentials {
  /** The AWS region of the Bedrock Runtime endpoint, e.g. us-east-1. */
  region: string;
  /** Default https://bedrock-runtime.<region>.amazonaws.com (a VPC endpoint, or a test server, otherwise). */
  baseUrl?: string;
}

/** SigV4's name for Bedrock: the Runtime API is signed as `bedrock`. */
export const BEDROCK_SIGNING_SERVICE = 'bedrock';

export function bedrockDefaultBaseUrl(region: string): string {
  return `https://bedrock-runtime.${region}.amazonaws.com`;
}

/** AWS Bedrock through the Converse and ConverseStream APIs, every request signed with SigV4. */
export class BedrockProvider extends HttpChatProvider<BedrockStreamState, BedrockStreamEvent> {
  constructor(options: BedrockProviderOptions) {
    const name = options.name ?? 'bedrock';
    const translator = new BedrockTranslator(name);
    const { accessKeyId, secretAccessKey, sessionToken } = options;
    super({
      type: 'bedrock',
      models: options.models ?? [],
      chat: translator,
      transport: {
        provider: name,
        baseUrl: options.baseUrl ?? bedrockDefaultBaseUrl(options.region),
        headers: { ...options.headers },
        secrets: sessionToken ? [secretAccessKey, sessionToken] : [secretAccessKey],
        sign: sigV4Signer(BEDROCK_SIGNING_SERVICE, options.region, { accessKeyId, secretAccessKey, sessionToken }),
        maxConcurrent: options.maxConcurrent,
        http2: options.http2,
        upstream: options.upstream,
        errorMessage: (body) => translator.errorMessage(body),
      },
    });
  }
}
