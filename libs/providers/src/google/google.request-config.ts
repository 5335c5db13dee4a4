import type { ChatRequest } from '@llm-connector-hub/core';
import { HubErrors, maxOutputTokens } from '@llm-connector-hub/core';
import type { GoogleGenerationConfig, GoogleTool, GoogleToolConfig } from './google.wire';

/**
 * Sampling options, JSON mode, tools and tool choice: the parts of the request that are not the
 * conversation. Options Gemini has no equivalent for (logit_bias, user, metadata,
 * parallel_tool_calls, logprobs, reasoning_effort) are dropped, not rejected, like other
 * OpenAI-compatible gateways do.
 */
export function googleGenerationConfig(request: ChatRequest): GoogleGenerationConfig | undefined {
  const config: GoogleGenerationConfig = {};
  const maxTokens = maxOutputTokens(request);
  if (maxTokens !== undefined) config.maxOutputTokens = maxTokens;
  if (request.temperature != null) config.temperature = request.temperature;
  if (request.top_p != null) config.topP = request.top_p;
  const stop = typeof request.stop === 'string' ? [request.stop] : request.stop;
  if (stop && stop.length > 0) config.stopSequences = stop;
  if (request.n != null) config.candidateCount = request.n;
  if (request.seed != null) config.seed = request.seed;
  if (request.presence_penalty != null) config.presencePenalty = request.presence_penalty;
  if (request.frequency_penalty != null) config.frequencyPenalty = request.frequency_penalty;

  const format = request.response_format;
  if (format?.type === 'json_object') {
    config.responseMimeType = 'application/json';
  } else if (format?.type === 'json_schema') {
    config.responseMimeType = 'application/json';
    // responseJsonSchema, not responseSchema: responseSchema is an OpenAPI 3.0 subset that rejects
    // keys OpenAI strict schemas always carry (additionalProperties, $defs/$ref, anyOf with null),
    // so it would need a lossy rewrite. responseJsonSchema takes JSON Schema as is (Gemini 2.5+).
    const schema = format.json_schema.schema;
    if (schema) config.responseJsonSchema = withoutSchemaDialect(schema);
  }
  return Object.keys(config).length > 0 ? config : undefined;
}

export function googleTools(request: ChatRequest): GoogleTool[] | undefined {
  const functions = (request.tools ?? []).filter((tool) => tool.type === 'function');
  if (functions.length === 0) return undefined;
  return [
    {
      functionDeclarations: functions.map(({ function: fn }) => ({
        name: fn.name,
        ...(fn.description !== undefined ? { description: fn.description } : {}),
        // parametersJsonSchema, not parameters: `parameters` is the OpenAPI-subset Schema proto and
        // answers 400 "Unknown name additionalProperties/$schema/const..." for ordinary JSON Schemas
        // (zod, pydantic, MCP tools); parametersJsonSchema accepts JSON Schema unchanged.
        ...(fn.parameters !== undefined ? { parametersJsonSchema: withoutSchemaDialect(fn.parameters) } : {}),
      })),
    },
  ];
}

export function googleToolConfig(request: ChatRequest): GoogleToolConfig | undefined {
  const choice = request.tool_choice;
  if (choice === undefined) return undefined;
  if (choice === 'auto') return { functionCallingConfig: { mode: 'AUTO' } };
  if (choice === 'none') return { functionCallingConfig: { mode: 'NONE' } };
  if (choice === 'required') return { functionCallingConfig: { mode: 'ANY' } };
  const name = choice.function?.name;
  if (!name || !(request.tools ?? []).some((tool) => tool.function.name === name)) {
    throw HubErrors.invalidRequest(`tool_choice names the function '${name ?? ''}', which is not in tools.`, 'tool_choice');
  }
  // ANY + one allowed name is Gemini's "call exactly this function".
  return { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: [name] } };
}

/**
 * Drops the root `$schema` (zod-to-json-schema and MCP servers add it): it names a dialect, says
 * nothing about the shape, and Gemini has rejected it or handled it inconsistently
 * (gemini-cli strips it for the same reason).
 */
function withoutSchemaDialect(schema: Record<string, unknown>): Record<string, unknown> {
  if (!('$schema' in schema)) return schema;
  const { $schema: _dialect, ...rest } = schema;
  return rest;
}
