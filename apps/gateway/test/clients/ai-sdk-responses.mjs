// The Vercel AI SDK, unmodified, with its default OpenAI provider: `createOpenAI({ baseURL })(model)`
// calls POST {baseURL}/responses. Run by apps/gateway/test/ai-sdk-responses.e2e-spec.ts through
// runEsmClient (support/esm-client.ts): reads {baseURL, apiKey, model, prompt, task, ...} as JSON
// on stdin, prints the result as JSON on its last line of stdout.
import { createOpenAI } from '@ai-sdk/openai';
import { generateObject, generateText, jsonSchema, stepCountIs, streamText, tool } from 'ai';

const input = JSON.parse(await new Promise((resolve) => {
  let text = '';
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (chunk) => (text += chunk));
  process.stdin.on('end', () => resolve(text));
}));

const provider = createOpenAI({ baseURL: input.baseURL, apiKey: input.apiKey });
const model = provider(input.model);
const maxRetries = 0;

const weather = tool({
  description: 'Current weather for a city',
  inputSchema: jsonSchema({
    type: 'object',
    properties: { location: { type: 'string' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } },
    required: ['location', 'unit'],
    additionalProperties: false,
  }),
  execute: async (args) => ({ forecast: `sunny, 21 degrees in ${args.location}` }),
});

const usageOf = (usage) => ({ inputTokens: usage?.inputTokens, outputTokens: usage?.outputTokens });

async function run() {
  switch (input.task) {
    case 'generateText': {
      const result = await generateText({ model, prompt: input.prompt, maxRetries });
      return { text: result.text, finishReason: result.finishReason, usage: usageOf(result.usage), responseId: result.response.id };
    }
    case 'streamText': {
      const result = streamText({ model, prompt: input.prompt, maxRetries, onError: () => undefined });
      const pieces = [];
      for await (const piece of result.textStream) pieces.push(piece);
      return { pieces: pieces.length, text: pieces.join(''), finishReason: await result.finishReason, usage: usageOf(await result.usage) };
    }
    case 'tools': {
      const result = await generateText({ model, prompt: input.prompt, tools: { get_weather: weather }, stopWhen: stepCountIs(2), maxRetries });
      return {
        steps: result.steps.length,
        toolCalls: result.steps[0].toolCalls.map((call) => ({ name: call.toolName, input: call.input })),
        toolResults: result.steps[0].toolResults.map((r) => r.output),
        text: result.text,
        finishReason: result.finishReason,
      };
    }
    case 'conversation': {
      // Turn two resends turn one's answer: the SDK names it by `item_reference` (its default, store unset).
      const first = await generateText({ model, prompt: input.prompt, maxRetries });
      // Plain HTTP beside the SDK: with turn one's stored response gone, a reference to it cannot resolve.
      if (input.deleteFirst) await fetch(`${input.baseURL}/responses/${first.response.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${input.apiKey}` } });
      const second = await generateText({
        model,
        messages: [{ role: 'user', content: input.prompt }, ...first.response.messages, { role: 'user', content: input.followUp }],
        maxRetries,
      });
      return { first: first.text, second: second.text };
    }
    case 'object': {
      const result = await generateObject({ model, schema: jsonSchema(input.schema), prompt: input.prompt, maxRetries });
      return { object: result.object, finishReason: result.finishReason };
    }
    default:
      throw new Error(`unknown task ${input.task}`);
  }
}

try {
  console.log(JSON.stringify({ ok: true, result: await run() }));
} catch (error) {
  console.log(JSON.stringify({ ok: false, error: { name: error?.name, message: String(error?.message ?? error), statusCode: error?.statusCode } }));
}
