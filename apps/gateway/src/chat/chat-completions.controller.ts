import { Controller, HttpCode, Inject, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiKeyGuard } from '../common/api-key.guard';
import { validateBody } from '../common/validate-body';
import { chatRequestSchema } from './chat-request.schema';
import { CompletionResponder } from './completion-responder';
import { toHubRequest } from './to-hub-request';

/** OpenAI's Chat Completions endpoint, whatever provider is behind the model. */
@Controller('v1')
@UseGuards(ApiKeyGuard)
export class ChatCompletionsController {
  constructor(@Inject(CompletionResponder) private readonly responder: CompletionResponder) {}

  @Post('chat/completions')
  @HttpCode(200)
  async create(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    // The cache-hit fast path may already have validated this body (and looked it up).
    const prepared = request.preparedChat;
    const body = prepared?.body ?? toHubRequest(validateBody(chatRequestSchema, request.body));
    await this.responder.respond(request, reply, body, 'openai', prepared?.state);
  }
}
