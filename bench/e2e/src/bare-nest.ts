import 'reflect-metadata';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';

/** The baseline: a bare NestJS application (Express), one GET route answering a small JSON document, no database. */
@Controller('ping')
class PingController {
  @Get()
  ping() {
    return { items: [{ id: '3f0e3e0c-6b3a-4c2e-9d7e-0c7b1a1b2c3d', name: 'Commune de Lille', departmentCode: '59' }], page: 1, pageSize: 50, total: 1 };
  }
}

@Module({ controllers: [PingController] })
class BareModule {}

async function main(): Promise<void> {
  const app = await NestFactory.create(BareModule, { logger: false });
  app.enableShutdownHooks();
  await app.listen(Number(process.env.PORT ?? 0), '127.0.0.1');
  process.stdout.write(`listening ${process.env.PORT}\n`);
}

void main();
