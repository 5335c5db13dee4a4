import { resolve } from 'node:path';
import { loadHubConfig as loadConfig } from './hub-config';

describe('config.example.yaml', () => {
  it('is a valid config once its ${VAR}s are set', () => {
    const config = loadConfig({
      LLM_HUB_CONFIG: resolve(__dirname, '../../../config.example.yaml'),
      LLM_HUB_GATEWAY_KEY: 'gw',
      OPENAI_API_KEY: 'o',
      ANTHROPIC_API_KEY: 'a',
      GEMINI_API_KEY: 'g',
      AZURE_OPENAI_API_KEY: 'z',
      GROQ_API_KEY: 'q',
    });
    expect(Object.keys(config.providers).sort()).toEqual(['anthropic', 'azure', 'google', 'groq', 'mock', 'ollama', 'openai']);
    expect(config.routing.aliases.fast).toEqual(['anthropic/claude-3-5-haiku-latest', 'openai/gpt-4o-mini']);
    expect(config.resilience.providers?.anthropic?.timeout?.firstTokenMs).toBe(20_000);
    expect(config.auth.apiKeys).toEqual(['gw']);
    expect(config.cache).toMatchObject({ type: 'memory', ttlSeconds: 3600, coalescing: { enabled: true } });
  });
});
