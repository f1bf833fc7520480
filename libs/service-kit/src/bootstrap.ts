import { DynamicModule, INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { NextFunction, Request, Response } from 'express';
import { randomUUID } from 'node:crypto';
import { ServiceConfig } from './config';
import { JsonLogger } from './json-logger';
import { ProblemFilter } from './problem';
import { createValidationPipe } from './validation';
import { WellFormedTextPipe } from './well-formed-text';

export const API_PREFIX = 'api/v1';

/** Builds the Nest application of a service (routes under /api/v1, problem+json, OpenAPI), not yet listening. */
export async function createServiceApp(appModule: Type<unknown> | DynamicModule, config: ServiceConfig, description = ''): Promise<INestApplication> {
  const logger = new JsonLogger(config.name);
  const app = await NestFactory.create(appModule, { logger, bufferLogs: false, bodyParser: true });
  app.setGlobalPrefix(API_PREFIX, { exclude: ['health', 'metrics', 'clock'] });
  app.use((request: Request, response: Response, next: NextFunction) => {
    // Every request has a correlation id; events written while serving it carry it on.
    const id = (request.headers['x-correlation-id'] as string | undefined) ?? randomUUID();
    request.headers['x-correlation-id'] = id;
    response.setHeader('x-correlation-id', id);
    next();
  });
  app.useGlobalPipes(new WellFormedTextPipe(), createValidationPipe());
  app.useGlobalFilters(new ProblemFilter(logger));
  app.enableShutdownHooks();
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle(`CNFS platform — ${config.name}`)
      .setDescription(description)
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  // Under /api/v1/docs/<service>, so the gateway routes each service's document to it.
  SwaggerModule.setup(`${API_PREFIX}/docs/${config.name}`, app, document, { jsonDocumentUrl: `${API_PREFIX}/docs/${config.name}/openapi.json` });
  return app;
}

/** How long a service keeps an idle HTTP connection open. */
export const SERVICE_KEEP_ALIVE_MS = 75_000;

/** Creates and starts a service; SIGTERM/SIGINT close it gracefully (Nest shutdown hooks). */
export async function runService(appModule: Type<unknown> | DynamicModule, config: ServiceConfig, description = ''): Promise<INestApplication> {
  const app = await createServiceApp(appModule, config, description);
  const server = app.getHttpServer() as import('node:http').Server;
  // Longer than the gateway keeps an idle socket to a service (UPSTREAM_IDLE_SOCKET_MS, 60 s): the service never
  // closes a kept-alive connection the gateway may be reusing at that instant (Node's default is 5 s).
  server.keepAliveTimeout = SERVICE_KEEP_ALIVE_MS;
  server.headersTimeout = SERVICE_KEEP_ALIVE_MS + 1_000;
  await app.listen(config.port, '0.0.0.0');
  new JsonLogger(config.name).log({ message: 'service started', port: config.port, schema: config.schema });
  return app;
}
