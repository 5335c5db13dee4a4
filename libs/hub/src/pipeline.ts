import type { CompleteHandler, EmbedHandler, HubMiddleware, StreamHandler } from './hub-middleware';

export interface Pipeline {
  complete: CompleteHandler;
  stream: StreamHandler;
  embed: EmbedHandler;
}

/**
 * Composes middleware around the terminal handlers once, when the middleware list changes, so a
 * request pays only the calls themselves, not the composition.
 */
export function composePipeline(middleware: readonly HubMiddleware[], terminal: Pipeline): Pipeline {
  let { complete, stream, embed } = terminal;
  for (let i = middleware.length - 1; i >= 0; i--) {
    const layer = middleware[i];
    if (layer.complete) {
      const next = complete;
      const hook = layer.complete.bind(layer);
      complete = (context) => hook(context, next);
    }
    if (layer.stream) {
      const next = stream;
      const hook = layer.stream.bind(layer);
      stream = (context) => hook(context, next);
    }
    if (layer.embed) {
      const next = embed;
      const hook = layer.embed.bind(layer);
      embed = (context) => hook(context, next);
    }
  }
  return { complete, stream, embed };
}
