import { Inject, Injectable } from '@nestjs/common';
import type { FastifyInstance, FastifyReply, FastifyRequest, FastifySchema, FastifySchemaCompiler } from 'fastify';
import type { z } from 'zod';
import { hubEmbeddingRequestSchema, hubRequestSchema, type HubRequest } from '@llm-connector-hub/hub';
import { responsesRequestSchema } from '@llm-connector-hub/dialects';
import { ApiKeyGuard } from '../common/api-key.guard';
import { answerError, type ErrorBody } from '../common/openai-exception.filter';
import { validateBody } from '../common/validate-body';
import { ModelResponder } from './model-responder';
import { keepReceivedBody } from './received-body';
import { ANTHROPIC_COUNT_TOKENS_ROUTE, ANTHROPIC_MESSAGES_ROUTE } from './anthropic-messages.routes';
import { HUB_SHAPE, OPENAI_SHAPE } from './response-shapes';
import { ResponseStore } from './responses/response-store';
import { answerResponses, installStoredResponseRoutes } from './responses/responses.route';

/** What a route may need beside the responder: the state some dialects keep between requests. */
export interface RouteServices {
  responses: ResponseStore;
}

/**
 * One model route: its URL, the zod schema of its body, and how its valid body is answered; a
 * route of another API dialect also gives its error body and any headers of its own.
 */
export interface ModelRoute<Schema extends z.ZodType> {
  url: string;
  body: Schema;
  answer: (responder: ModelResponder, request: FastifyRequest, reply: FastifyReply, body: z.infer<Schema>, services: RouteServices) => Promise<void>;
  errorBody?: ErrorBody;
  headers?: (request: FastifyRequest) => Record<string, string>;
  /** Keep the body as received for the handler (receivedBody): a route that passes it through natively. */
  keepsReceivedBody?: boolean;
}

function route<Schema extends z.ZodType>(definition: ModelRoute<Schema>): ModelRoute<Schema> {
  return definition;
}

/** The hub's own REST shape: /api/complete never streams, /api/stream always does (OpenAI chunks). */
function hubShapeRoute(url: string, stream: boolean): ModelRoute<typeof hubRequestSchema> {
  return route({
    url,
    body: hubRequestSchema,
    answer(responder, request, reply, body: HubRequest) {
      body.stream = stream;
      if (!stream) delete body.stream_options;
      return responder.chat(request, reply, body, HUB_SHAPE);
    },
  });
}

/**
 * The routes that call models. A new API dialect (Anthropic's /v1/messages, the Responses API)
 * is one more entry: its schema, its translation to the hub's request, its response shape.
 */
const MODEL_ROUTES = [
  route({
    url: '/v1/chat/completions',
    body: hubRequestSchema,
    answer: (responder, request, reply, body: HubRequest) => responder.chat(request, reply, body, OPENAI_SHAPE),
  }),
  hubShapeRoute('/api/complete', false),
  hubShapeRoute('/api/stream', true),
  route({
    url: '/v1/embeddings',
    body: hubEmbeddingRequestSchema,
    answer: (responder, request, reply, body) => responder.embed(request, reply, body),
  }),
  ANTHROPIC_MESSAGES_ROUTE,
  ANTHROPIC_COUNT_TOKENS_ROUTE,
  route({ url: '/v1/responses', body: responsesRequestSchema, answer: (responder, request, reply, body, { responses }) => answerResponses(responder, responses, request, reply, body) }),
];

/**
 * Fastify's validator for a route's zod body schema: the parsed body replaces request.body, or the
 * 400 goes to the route's error handler. Fastify compiles each part of a route's schema on its
 * own, so `schema` is the body's zod schema (its types name it after the whole route schema).
 */
const zodBodyValidator: FastifySchemaCompiler<FastifySchema> = ({ schema }) => (body) => validateBody(schema as z.ZodType, body);

/**
 * The gateway's one request path: the model routes as plain Fastify routes, not Nest
 * controllers (Nest keeps DI, lifecycle, health, /v1/models and admin routes; see
 * docs/architecture.md for why). Each request goes through the same steps, in this order:
 *  - onRequest (global, request-hooks.ts and RequestObserver): the request id, metrics and log line;
 *  - Fastify's JSON body parser (json-body.ts): 415, 413, bad JSON, too deep;
 *  - preValidation: the gateway-key check (401), before the body is judged;
 *  - validation: the route's zod schema (400 naming the field);
 *  - the handler: ModelResponder, the one place that calls the hub and answers;
 *  - errors anywhere above: the one error mapping (answerError), in OpenAI's shape or the route's dialect's.
 */
@Injectable()
export class ModelRoutes {
  constructor(
    @Inject(ApiKeyGuard) private readonly keys: ApiKeyGuard,
    @Inject(ModelResponder) private readonly responder: ModelResponder,
    @Inject(ResponseStore) private readonly responses: ResponseStore,
  ) {}

  install(fastify: FastifyInstance): void {
    for (const { url, body, answer, errorBody, headers, keepsReceivedBody } of MODEL_ROUTES as Array<ModelRoute<z.ZodType>>) {
      fastify.route({
        method: 'POST',
        url,
        schema: { body },
        validatorCompiler: zodBodyValidator,
        // On the raw response, so that a stream's head (written there) carries them too.
        onRequest: headers && ((request, reply, done) => {
          for (const [name, value] of Object.entries(headers(request))) reply.raw.setHeader(name, value);
          done();
        }),
        preValidation: (request, _reply, done) => {
          const refusal = this.keys.refusal(request);
          if (keepsReceivedBody && !refusal) keepReceivedBody(request);
          done(refusal);
        },
        errorHandler: (error, request, reply) => answerError(error, request, reply, errorBody),
        handler: (request, reply) => answer(this.responder, request, reply, request.body, { responses: this.responses }),
      });
    }
    installStoredResponseRoutes(fastify, this.responses, (request) => this.keys.refusal(request), answerError);
  }
}
