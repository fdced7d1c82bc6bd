import { Scenario, ScenarioIdentities, identitiesFrom, loadScenario } from '../../src/cli/scenarios';
import { signForm } from '../../src/cli/sample-notification';
import { FormBody } from '../../src/modules/ipn';
import { TEST_SECRET_KEY, TestApp, postForm } from '../setup/create-test-app';
import { admin, drained } from '../setup/lifecycle';

let runs = 0;

/**
 * A scenario of test/fixtures/scenarios (the ones `npm run ipn:send -- --scenario` sends), played
 * against the test app step by step, with fresh REFNOs, licenses and email, and read back through
 * the admin API as a user would.
 */
export class ScenarioRun {
  readonly ids: ScenarioIdentities;
  readonly scenario: Scenario;

  /** `live`: sent as a real order's notifications (TEST_ORDER=0, TEST=0) rather than a test order's. */
  constructor(
    private readonly t: TestApp,
    name: string,
    { live = false } = {},
  ) {
    runs += 1;
    this.ids = identitiesFrom(`${process.pid}${String(runs).padStart(3, '0')}`);
    const scenario = loadScenario(name, this.ids);
    this.scenario = live ? { ...scenario, steps: scenario.steps.map((step) => ({ ...step, form: real(step.form) })) } : scenario;
  }

  get license(): string {
    return this.ids.licenses[0];
  }

  refNo(order: number): string {
    return this.ids.refNos[order - 1];
  }

  /**
   * Sends steps (1-based, in the order given), each processed before the next is sent: what the
   * customer's timeline shows is then in step order (steps processed in one delivery batch would
   * record their messages in the order of the chain instead).
   */
  async send(...steps: number[]): Promise<void> {
    for (const step of steps) {
      await this.sendOnly(step);
      await this.settled();
    }
  }

  /** Sends one step (1-based) and expects its receipt; its processing may still be under way. */
  async sendOnly(step: number): Promise<void> {
    const { kind, form } = this.scenario.steps[step - 1];
    const response = await postForm(`${this.t.baseUrl}/${kind}`, signForm(form, ['sha256'], TEST_SECRET_KEY));
    const text = await response.text();
    if (response.status !== 200 || !text.startsWith('<sig ')) throw new Error(`step ${step}: ${response.status} ${text}`);
  }

  /** Waits until every notification sent so far is processed. */
  settled(): Promise<void> {
    return drained(this.t);
  }

  async order(order: number): Promise<any> {
    const { status, body } = await admin(this.t, `/api/orders/${this.refNo(order)}`);
    if (status !== 200) throw new Error(`order ${this.refNo(order)}: ${status} ${JSON.stringify(body)}`);
    return body;
  }

  async subscription(): Promise<any> {
    const { status, body } = await admin(this.t, `/api/subscriptions/${this.license}`);
    if (status !== 200) throw new Error(`subscription ${this.license}: ${status} ${JSON.stringify(body)}`);
    return body;
  }

  /** The kinds of the messages on the customer's timeline, oldest first. */
  async messages(): Promise<string[]> {
    const { body } = await admin(this.t, `/api/customers?email=${encodeURIComponent(this.ids.email)}`);
    return body.timeline.map((message: { kind: string }) => message.kind);
  }
}

function real(form: FormBody): FormBody {
  const flag = (name: string, value: string | string[]) => (name === 'TEST_ORDER' || name === 'TEST' ? '0' : value);
  return FormBody.fromPairs(Object.entries(form.toRecord()).map(([name, value]) => [name, flag(name, value)]));
}
