import { Controller, Get, Inject, Req, UseGuards } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ConnectorHub } from '@llm-connector-hub/hub';
import { HubErrors } from '@llm-connector-hub/core';
import { ApiKeyGuard } from '../common/api-key.guard';

interface ModelObject {
  id: string;
  object: 'model';
  created: number;
  owned_by: string;
}

/** OpenAI's model list: every `provider/model` the providers advertise, and the aliases. */
@Controller('v1/models')
@UseGuards(ApiKeyGuard)
export class ModelsController {
  private readonly created = Math.floor(Date.now() / 1000);

  constructor(@Inject(ConnectorHub) private readonly hub: ConnectorHub) {}

  @Get()
  list(): { object: 'list'; data: ModelObject[] } {
    return { object: 'list', data: this.hub.listModels().map((m) => this.toModel(m.id, m.provider)) };
  }

  /**
   * Model ids contain a slash (`provider/model`), so the whole rest of the path is the id.
   * Fastify has already percent-decoded it: decoding again would turn `%25` into a malformed `%`.
   */
  @Get('*')
  get(@Req() request: FastifyRequest): ModelObject {
    const wanted = (request.params as Record<string, string>)['*'] ?? '';
    const found = this.hub.listModels().find((m) => m.id === wanted);
    if (!found) throw HubErrors.modelNotFound(wanted);
    return this.toModel(found.id, found.provider);
  }

  private toModel(id: string, provider: string): ModelObject {
    return { id, object: 'model', created: this.created, owned_by: provider };
  }
}
