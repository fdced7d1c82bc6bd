import { Global, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { OutsideCallWorker } from './outside-call.worker';
import { OutsideCalls } from './outside-calls.service';
import { OutsideCallEntity } from './persistence/outside-call.entity';
import { OutsideCallRepository } from './persistence/outside-call.repository';

/** The outside-calls stage: record in the transaction, perform after the commit. */
@Global()
@Module({
  imports: [DiscoveryModule, TypeOrmModule.forFeature([OutsideCallEntity])],
  providers: [OutsideCallRepository, OutsideCalls, OutsideCallWorker],
  exports: [OutsideCalls],
})
export class OutsideCallsModule {}
