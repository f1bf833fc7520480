import { Body, Controller, Get, Inject, Put } from '@nestjs/common';
import { ApiExcludeController, ApiProperty } from '@nestjs/swagger';
import { IsISO8601 } from 'class-validator';
import { Roles } from '@cnfs/auth';
import { Clock, CLOCK, ManualClock } from './clock';
import { ProblemException } from './problem';

class SetClockDto {
  @ApiProperty({ example: '2022-12-01T00:00:00Z' })
  @IsISO8601({ strict: true })
  now: string;
}

/**
 * `GET/PUT /clock` — reads, and with a manual clock moves, the service's time. Only ANCT may move it,
 * and only when the service runs with `CNFS_CLOCK=manual` (the simulation); otherwise 409.
 */
@ApiExcludeController()
@Controller('clock')
export class ClockController {
  constructor(@Inject(CLOCK) private readonly clock: Clock) {}

  @Get()
  @Roles('anct')
  read() {
    return { now: this.clock.now().toISOString(), manual: this.clock instanceof ManualClock };
  }

  @Put()
  @Roles('anct')
  move(@Body() body: SetClockDto) {
    if (!(this.clock instanceof ManualClock)) throw new ProblemException(409, 'this service runs on the system clock (start it with CNFS_CLOCK=manual to move time)');
    try {
      this.clock.set(new Date(body.now));
    } catch (error) {
      throw new ProblemException(422, (error as Error).message, { errors: [{ field: 'now', message: (error as Error).message }] });
    }
    return { now: this.clock.now().toISOString(), manual: true };
  }
}
