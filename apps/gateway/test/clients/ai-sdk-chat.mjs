/**
 * The Vercel AI SDK's `.chat(model)` (POST /v1/chat/completions), unmodified: configured only with
 * the gateway's base URL and a key, as a user would. Run by ai-sdk-chat.e2e-spec.ts through
 * runEsmClient (the SDK ships only as an ES module). Input on stdin: { baseURL, apiKey, model,
 * viaFake?, embeddingModel? }. Makes every call of the drop-in checks for that one route in this
 * one process and prints one JSON line: per call, what the spec asserts, or the error the SDK raised.
 */
import { createOpenAI } from '@ai-sdk/openai';
import { embed, embedMany, generateObject, generateText, Output, stepCountIs, streamText, tool } from 'ai';
import { z } from 'zod';

const input = JSON.parse(await readStdin());
const provider = createOpenAI({ baseURL: input.baseURL, apiKey: input.apiKey });
const model = provider.chat(input.model);
// The SDK's own retries would hide what one call got.
const common = { model, maxRetries: 0 };
const ONE_PIXEL_PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
const city = z.object({ city: z.string(), population: z.number(), capital: z.boolean() });

const results = {};
const calls = { generateText: plain, streamText: streamed, imageInput, toolLoop, streamedToolLoop, outputObject, streamedOutputObject, generateObject: objectCall, embed: embedding };
// Errors are scripted through the fake provider's prompt directives, which the mock does not read.
if (input.viaFake) Object.assign(calls, { rateLimited, badRequest });
for (const [name, run] of Object.entries(calls)) {
  try {
    results[name] = await run();
  } catch (error) {
    results[name] = { error: { name: error?.name, message: String(error?.message ?? error), statusCode: error?.statusCode } };
  }
}
process.stdout.write(`${JSON.stringify(results)}\n`);

async function plain() {
  const result = await generateText({ ...common, system: 'You are terse.', prompt: 'What is the capital of France?' });
  return { text: result.text, finishReason: result.finishReason, usage: result.usage };
}

async function streamed() {
  const result = streamText({ ...common, prompt: 'Tell me a story' });
  const parts = [];
  for await (const part of result.textStream) parts.push(part);
  return { parts, text: await result.text, finishReason: await result.finishReason, usage: await result.usage };
}

/** A user message with an image part (a data URL on the wire), translated for each provider. */
async function imageInput() {
  const image = Buffer.from(ONE_PIXEL_PNG, 'base64');
  const result = await generateText({ ...common, messages: [{ role: 'user', content: [{ type: 'text', text: 'Describe this image' }, { type: 'image', image, mediaType: 'image/png' }] }] });
  return { text: result.text, finishReason: result.finishReason };
}

/** Two steps: the model calls the tool, the SDK runs it and sends its result back, the model answers. */
function weatherTools(calls) {
  return {
    get_weather: tool({
      description: 'Current weather for a city',
      inputSchema: z.object({ location: z.string(), unit: z.enum(['celsius', 'fahrenheit']) }),
      execute: async (args) => {
        calls.push(args);
        return 'sunny, 21 degrees';
      },
    }),
  };
}

async function toolLoop() {
  const calls = [];
  const result = await generateText({ ...common, tools: weatherTools(calls), stopWhen: stepCountIs(2), prompt: '[[fake tools=1]] What is the weather in Paris?' });
  return { calls, steps: result.steps.map((step) => ({ finishReason: step.finishReason, toolCalls: step.toolCalls.map((c) => c.toolName) })), text: result.text };
}

async function streamedToolLoop() {
  const calls = [];
  const result = streamText({ ...common, tools: weatherTools(calls), stopWhen: stepCountIs(2), prompt: '[[fake tools=1]] What is the weather in Paris?' });
  const inputDeltas = [];
  for await (const part of result.fullStream) {
    if (part.type === 'tool-input-delta') inputDeltas.push(part.delta);
    if (part.type === 'error') throw part.error;
  }
  const steps = await result.steps;
  return { calls, inputDeltas: inputDeltas.length, steps: steps.map((step) => ({ finishReason: step.finishReason, toolCalls: step.toolCalls.map((c) => c.toolName) })), text: await result.text };
}

async function outputObject() {
  const result = await generateText({ ...common, output: Output.object({ schema: city }), prompt: 'Which city is the capital?' });
  return { output: result.output, finishReason: result.finishReason };
}

async function streamedOutputObject() {
  const result = streamText({ ...common, output: Output.object({ schema: city }), prompt: 'Which city is the capital?' });
  let partials = 0;
  for await (const _partial of result.partialOutputStream) partials += 1;
  return { partials, output: await result.output, finishReason: await result.finishReason };
}

async function objectCall() {
  const result = await generateObject({ ...common, schema: city, prompt: 'Which city is the capital?' });
  return { object: result.object, finishReason: result.finishReason };
}

async function embedding() {
  if (input.embeddingModel === undefined) {
    // The route cannot embed: what the SDK raises is the result.
    await embed({ model: provider.embedding(input.model), value: 'alpha', maxRetries: 0 });
    return { unexpected: 'no error' };
  }
  const embeddingModel = provider.embedding(input.embeddingModel);
  const one = await embed({ model: embeddingModel, value: 'alpha', maxRetries: 0 });
  const many = await embedMany({ model: embeddingModel, values: ['alpha', 'beta'], maxRetries: 0 });
  return { one: one.embedding, many: many.embeddings, usage: many.usage };
}

async function rateLimited() {
  return apiError(() => generateText({ ...common, prompt: '[[fake status=429 retry-after=3]] hi' }));
}

async function badRequest() {
  return apiError(() => generateText({ ...common, prompt: '[[fake status=400]] hi' }));
}

/** What the SDK's APICallError says about a failed call; a call that did not fail is the result instead. */
async function apiError(call) {
  try {
    return { unexpected: await call() };
  } catch (error) {
    return { name: error.name, statusCode: error.statusCode, isRetryable: error.isRetryable, retryAfter: error.responseHeaders?.['retry-after'], message: error.message };
  }
}

async function readStdin() {
  let text = '';
  for await (const chunk of process.stdin) text += chunk;
  return text;
}
