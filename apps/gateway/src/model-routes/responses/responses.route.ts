import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hubError, unixSeconds } from '@llm-connector-hub/core';
import { expandedInput, newResponseId, responsesToChatRequest, type ResponseHead, type ResponseObject, type ResponsesRequest } from '@llm-connector-hub/dialects';
import type { ModelResponder } from '../model-responder';
import type { ResponseStore } from './response-store';
import { responsesShape } from './responses.shape';

/**
 * `POST /v1/responses`: OpenAI's Responses API over every provider, translated to the canonical
 * chat request and back (libs/dialects/src/openai-responses). The earlier state a request names
 * comes from the gateway's store; a response with `store` (OpenAI's default) is stored before the
 * client sees it, so the client's next request can name it on any replica.
 */
export async function answerResponses(responder: ModelResponder, store: ResponseStore, request: FastifyRequest, reply: FastifyReply, body: ResponsesRequest): Promise<void> {
  const tenant = request.tenant ?? '';
  const earlier = await store.earlierState(tenant, body);
  const chat = responsesToChatRequest(body, earlier);
  const head: ResponseHead = { id: newResponseId(), createdAt: unixSeconds(), model: body.model, store: body.store !== false && store.enabled, request: body };
  const input = [...earlier.history, ...expandedInput(body, earlier.referenced)];
  const keep = async (response: ResponseObject) => {
    // What could not be kept says so: the client must not count on continuing from it.
    if (response.store && !(await store.save(tenant, { input, response }))) response.store = false;
    return response;
  };
  await responder.chat(request, reply, chat, responsesShape(head, keep));
}

/** `GET` and `DELETE /v1/responses/{id}`: a stored response, for the key that made it. */
export function installStoredResponseRoutes(fastify: FastifyInstance, store: ResponseStore, refusal: (request: FastifyRequest) => Error | undefined, onError: (error: Error, request: FastifyRequest, reply: FastifyReply) => void): void {
  const notFound = (id: string) => hubError('previous_response_not_found', { id }, { param: 'response_id' });
  for (const method of ['GET', 'DELETE'] as const) {
    fastify.route<{ Params: { id: string } }>({
      method,
      url: '/v1/responses/:id',
      preValidation: (request, _reply, done) => done(refusal(request)),
      errorHandler: onError,
      handler: async (request) => {
        const { id } = request.params;
        const tenant = request.tenant ?? '';
        if (method === 'DELETE') {
          if (!(await store.delete(tenant, id))) throw notFound(id);
          return { id, object: 'response', deleted: true };
        }
        const stored = await store.load(tenant, id);
        if (!stored) throw notFound(id);
        return stored.response;
      },
    });
  }
}
