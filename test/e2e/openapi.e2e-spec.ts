import { eventClasses } from '../../src/cli/docs-events';
import type { DatabaseEndpoint } from '../../src/database/embedded-postgres';
import { TEST_ADMIN_TOKEN, TestApp, createTestApp } from '../setup/create-test-app';
import { provisionTestDatabase } from '../setup/test-database';

let database: DatabaseEndpoint;
let t: TestApp;

beforeAll(async () => {
  database = await provisionTestDatabase();
  t = await createTestApp(database, {
    AMQP_URL: 'amqp://app:never-connects@127.0.0.1:1',
    OUTBOX_RELAY: 'off',
    AMQP_EXCHANGE: 'shop.events',
  });
});

afterAll(async () => {
  await t?.close();
  await database?.close();
});

interface RouteLayer {
  route?: { path: string | string[]; methods: Record<string, boolean> };
}

/** Every route the app serves under /api, read from Express's router (not a list kept by hand). */
function apiRoutes(): Array<{ method: string; path: string }> {
  const express = t.app.getHttpAdapter().getInstance() as { router?: { stack: RouteLayer[] }; _router?: { stack: RouteLayer[] } };
  const stack = (express.router ?? express._router)!.stack;
  const routes: Array<{ method: string; path: string }> = [];
  for (const layer of stack) {
    if (!layer.route) continue;
    for (const path of [layer.route.path].flat()) {
      if (!/^\/api\//.test(path) || path.startsWith('/api/docs')) continue;
      for (const method of Object.keys(layer.route.methods)) routes.push({ method, path: path.replace(/:(\w+)/g, '{$1}') });
    }
  }
  return routes;
}

it('documents every route under /api, each behind the admin bearer token and with its answer', async () => {
  const response = await fetch(`${t.baseUrl}/api/docs-json`);
  expect(response.status).toBe(200);
  const document: any = await response.json();
  expect(document.openapi).toMatch(/^3\./);
  expect(document.components.securitySchemes.admin).toMatchObject({ type: 'http', scheme: 'bearer' });

  const routes = apiRoutes();
  expect(routes.length).toBeGreaterThanOrEqual(8);
  expect(routes).toContainEqual({ method: 'post', path: '/api/ipn/messages/replay' });
  const missing = routes.filter(({ method, path }) => !document.paths[path]?.[method]);
  expect(missing).toEqual([]);
  for (const { method, path } of routes) {
    const operation = document.paths[path][method];
    // The event feed also takes its own read-only token.
    const security = path === '/api/events' && method === 'get' ? [{ admin: [] }, { events: [] }] : [{ admin: [] }];
    expect({ path, method, security: operation.security }).toEqual({ path, method, security });
    const answer = operation.responses['200'] ?? operation.responses['201'];
    expect({ path, method, answered: Boolean(answer) }).toEqual({ path, method, answered: true });
  }
  // Only the read/admin API: 2Checkout's endpoints and the probes are not in it.
  expect(Object.keys(document.paths).every((path) => path.startsWith('/api/'))).toBe(true);
});

it('describes the answers from the DTO classes', async () => {
  const document: any = await (await fetch(`${t.baseUrl}/api/docs-json`)).json();
  const schemas = document.components.schemas;
  expect(schemas.OrderDetailDto.properties).toMatchObject({ refNo: { type: 'string' }, items: { type: 'array' } });
  expect(schemas.DeadLetterDto.properties.lastError).toMatchObject({ type: 'string', nullable: true });
  expect(document.paths['/api/ipn/messages/replay'].post.requestBody.content['application/json'].schema.$ref).toBe(
    '#/components/schemas/ReplayRangeDto',
  );
});

it('serves the interactive documentation at /api/docs', async () => {
  const response = await fetch(`${t.baseUrl}/api/docs`);
  expect(response.status).toBe(200);
  expect(await response.text()).toMatch(/swagger-ui/i);
});

it('shows what a webhook endpoint is sent for every event class, with the signature headers', async () => {
  const document: any = await (await fetch(`${t.baseUrl}/api/docs-json`)).json();
  expect(document.openapi).toBe('3.1.0');
  const classes = eventClasses(process.cwd());
  expect(Object.keys(document.webhooks)).toEqual(classes.map((event) => event.name));
  for (const event of classes) {
    const post = document.webhooks[event.name].post;
    expect(post.parameters.map((header: any) => [header.in, header.name, header.required])).toEqual([
      ['header', 'webhook-id', true],
      ['header', 'webhook-timestamp', true],
      ['header', 'webhook-signature', true],
    ]);
    const body = post.requestBody.content['application/json'].schema;
    expect(body.required).toEqual(['type', 'timestamp', 'data']);
    expect(body.properties.type.const).toBe(event.name);
    expect(body.properties.data.$ref).toBe(`#/components/schemas/${event.className}`);
    const envelope = document.components.schemas[event.className];
    expect(envelope.properties.data.$ref).toBe(`#/components/schemas/${event.className}Data`);
    expect(envelope.properties.version.const).toBe(event.version);
  }
  // Every reference in the document resolves.
  for (const ref of new Set(JSON.stringify(document).match(/"\$ref":"#[^"]+"/g))) {
    const path = JSON.parse(`{${ref}}`).$ref.slice(2).split('/');
    expect({ ref, found: path.reduce((at: any, key: string) => at?.[key], document) !== undefined }).toEqual({ ref, found: true });
  }
});

it('serves the AsyncAPI document of the exchange, naming the configured one, to the admin token only', async () => {
  expect((await fetch(`${t.baseUrl}/api/asyncapi.json`)).status).toBe(401);
  const response = await fetch(`${t.baseUrl}/api/asyncapi.json`, { headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } });
  expect(response.status).toBe(200);
  const document: any = await response.json();
  expect(document.asyncapi).toBe('3.0.0');
  const classes = eventClasses(process.cwd());
  expect(Object.keys(document.channels)).toEqual(classes.map((event) => event.name));
  for (const event of classes) {
    expect(document.channels[event.name].bindings.amqp).toMatchObject({
      is: 'routingKey',
      exchange: { name: 'shop.events', type: 'topic' },
    });
    expect(document.components.messages[event.name].payload.$ref).toBe(`#/components/schemas/${event.className}`);
  }
  expect(JSON.stringify(document)).not.toContain('never-connects');
});
