export { OutsideCall } from './outside-call.decorator';
export type { OutsideCallClass, OutsideCallContext, OutsideCallHandler, OutsideCallOptions } from './outside-call.decorator';
export { OutsideCalls } from './outside-calls.service';
export type { OutsideCallRequest } from './outside-calls.service';
export { OutsideCallsModule } from './outside-calls.module';
export type { OutsideCallView } from './persistence/outside-call.repository';
