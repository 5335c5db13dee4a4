import type { EmbeddingResponse } from '@llm-connector-hub/core';
import { ChatStream } from './chat-stream';
import type { HubContext, HubEmbeddingContext } from './hub-context';
import type { CompleteHandler, HubMiddleware, StreamHandler } from './hub-middleware';
import { composePipeline, type Pipeline } from './pipeline';
import { chunkOf, collect, completionOf } from '@llm-connector-hub/testing';

const context = { kind: 'chat', provider: 'p', request: { model: 'm', messages: [] } } as unknown as HubContext;
const embeddingContext = { kind: 'embedding', provider: 'p', request: { model: 'e', input: 'x' } } as unknown as HubEmbeddingContext;

function terminal(log: string[]): Pipeline {
  return {
    complete: async () => {
      log.push('terminal');
      return completionOf('done');
    },
    stream: async () => {
      log.push('terminal');
      return ChatStream.of([chunkOf({ content: 'x' })]);
    },
    embed: async (): Promise<EmbeddingResponse> => {
      log.push('terminal');
      return { object: 'list', data: [], model: 'e', usage: { prompt_tokens: 0, total_tokens: 0 } };
    },
  };
}

/** A middleware that logs around every hook, written as a class so hooks use `this`. */
class Tracer implements HubMiddleware {
  constructor(
    readonly name: string,
    private readonly log: string[],
  ) {}

  async complete(ctx: HubContext, next: CompleteHandler) {
    this.log.push(`${this.name}>`);
    const result = await next(ctx);
    this.log.push(`<${this.name}`);
    return result;
  }

  async stream(ctx: HubContext, next: StreamHandler): Promise<ChatStream> {
    this.log.push(`${this.name}>`);
    const stream = await next(ctx);
    return stream.onEnd(() => {
      this.log.push(`<${this.name}`);
    });
  }

  async embed(ctx: HubEmbeddingContext, next: (c: HubEmbeddingContext) => Promise<EmbeddingResponse>) {
    this.log.push(`${this.name}>`);
    const result = await next(ctx);
    this.log.push(`<${this.name}`);
    return result;
  }
}

describe('composePipeline', () => {
  it('with no middleware calls the terminal handlers directly', () => {
    const base = terminal([]);
    const pipeline = composePipeline([], base);
    expect(pipeline.complete).toBe(base.complete);
    expect(pipeline.stream).toBe(base.stream);
    expect(pipeline.embed).toBe(base.embed);
  });

  it('makes the first middleware the outermost layer, for complete, stream and embed', async () => {
    const log: string[] = [];
    const pipeline = composePipeline([new Tracer('a', log), new Tracer('b', log)], terminal(log));
    const expected = ['a>', 'b>', 'terminal', '<b', '<a'];

    await pipeline.complete(context);
    expect(log.splice(0)).toEqual(expected);
    await collect(await pipeline.stream(context));
    expect(log.splice(0)).toEqual(expected);
    await pipeline.embed(embeddingContext);
    expect(log.splice(0)).toEqual(expected);
  });

  it('passes straight through a layer that lacks a hook', async () => {
    const log: string[] = [];
    const completeOnly: HubMiddleware = {
      name: 'complete-only',
      complete: async (ctx, next) => {
        log.push('complete-only');
        return next(ctx);
      },
    };
    const pipeline = composePipeline([completeOnly, new Tracer('t', log)], terminal(log));
    await collect(await pipeline.stream(context));
    expect(log.splice(0)).toEqual(['t>', 'terminal', '<t']);
    await pipeline.complete(context);
    expect(log.splice(0)).toEqual(['complete-only', 't>', 'terminal', '<t']);
  });
});
