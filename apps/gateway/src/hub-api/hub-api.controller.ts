import { Controller, HttpCode, Inject, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiKeyGuard } from '../common/api-key.guard';
import { validateBody } from '../common/validate-body';
import { chatRequestSchema } from '../chat/chat-request.schema';
import { CompletionResponder } from '../chat/completion-responder';
import { toHubRequest } from '../chat/to-hub-request';

/**
 * The hub's own REST shape: `{ provider, model, messages, max_tokens, temperature, timeout, ... }`.
 * /api/complete answers with the completion plus `provider`, `content`, `tool_calls` and
 * `finish_reason` at the top level; /api/stream always streams (SSE, OpenAI chunk shape).
 */
@Controller('api')
@UseGuards(ApiKeyGuard)
export class HubApiController {
  constructor(@Inject(CompletionResponder) private readonly responder: CompletionResponder) {}

  @Post('complete')
  @HttpCode(200)
  async complete(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const body = toHubRequest(validateBody(chatRequestSchema, request.body));
    body.stream = false;
    delete body.stream_options;
    await this.responder.respond(request, reply, body, 'hub');
  }

  @Post('stream')
  @HttpCode(200)
  async stream(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const body = toHubRequest(validateBody(chatRequestSchema, request.body));
    body.stream = true;
    await this.responder.respond(request, reply, body, 'hub');
  }
}
