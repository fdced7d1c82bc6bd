import { Module } from '@nestjs/common';
import { AmqpPublisher } from './application/amqp-publisher';
import { AmqpTarget } from './application/amqp-target';

/** Every committed event published to a RabbitMQ topic exchange (AMQP_URL); off, connecting nowhere, without it. */
@Module({ providers: [AmqpPublisher, AmqpTarget] })
export class AmqpModule {}
