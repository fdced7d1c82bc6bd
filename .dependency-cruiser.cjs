/**
 * The boundaries the house style asks for, checked in CI (`npm run lint`).
 * - Modules meet only through their index.ts (or through domain events, which are declared there).
 * - core/ and config/ import no module; config/ may read the framework-free 2Checkout protocol
 *   (algorithm names, form limits), which itself imports nothing of ours.
 * - domain/ folders are pure: no Nest, no TypeORM.
 * - Layers within a module: http -> application -> domain, persistence/ behind application/ (consumers/,
 *   listeners/ and provisioning/ are application code). http/ never reaches persistence/ itself.
 * - No cycles.
 */
module.exports = {
  forbidden: [
    {
      name: 'modules-meet-through-index',
      comment: 'Import another module through its index.ts (its public face), never its internals.',
      severity: 'error',
      from: { path: '^src/modules/([^/]+)/' },
      to: { path: '^src/modules/', pathNot: '^src/modules/($1/|[^/]+/index\\.ts$)' },
    },
    {
      name: 'core-imports-no-module',
      severity: 'error',
      from: { path: '^src/core/' },
      to: { path: '^src/modules/' },
    },
    {
      name: 'config-imports-no-module',
      comment: 'Only the pure protocol (no framework, no imports of ours) is allowed.',
      severity: 'error',
      from: { path: '^src/config/' },
      to: { path: '^src/modules/', pathNot: '^src/modules/ipn/protocol/' },
    },
    {
      name: 'protocol-is-framework-free',
      severity: 'error',
      from: { path: '^src/modules/ipn/protocol/' },
      to: { path: ['^src/(?!modules/ipn/protocol/)', '@nestjs', 'typeorm', '^node_modules/'] },
    },
    {
      name: 'domain-is-pure',
      comment: 'domain/ holds pure logic: no Nest, no TypeORM.',
      severity: 'error',
      from: { path: '^src/modules/[^/]+/domain/' },
      to: { path: ['@nestjs', 'typeorm', 'node_modules/(@nestjs|typeorm)'] },
    },
    {
      name: 'http-not-to-persistence',
      comment: 'A controller or guard asks an application service; the SQL behind it stays in persistence/.',
      severity: 'error',
      from: { path: '^src/modules/([^/]+)/http/' },
      to: { path: '^src/modules/$1/persistence/' },
    },
    {
      name: 'application-not-to-http',
      comment: 'Use cases and services know nothing of HTTP: no controllers, guards, DTOs or HTTP exceptions.',
      severity: 'error',
      from: { path: '^src/modules/([^/]+)/(application|consumers|listeners|provisioning|persistence|domain)/' },
      to: { path: '^src/modules/$1/http/' },
    },
    {
      name: 'persistence-not-to-application',
      comment: 'Repositories are used by application code, never the other way round.',
      severity: 'error',
      // Known exception: the provisioning repository stores ProvisioningResult, a type of the strategy
      // contract (provisioning/provisioning-strategy.ts) that integrators implement (type-only import).
      from: { path: '^src/modules/([^/]+)/persistence/', pathNot: '^src/modules/fulfillment/persistence/provisioning\\.repository\\.ts$' },
      to: { path: '^src/modules/$1/(application|consumers|listeners|provisioning)/' },
    },
    {
      name: 'domain-is-the-core',
      comment: 'domain/ imports only domain/ (and the pure protocol): no application, HTTP or persistence code.',
      severity: 'error',
      from: { path: '^src/modules/([^/]+)/domain/' },
      to: { path: '^src/modules/$1/(application|consumers|listeners|provisioning|persistence|http)/' },
    },
    {
      name: 'no-cycles',
      severity: 'error',
      from: {},
      to: { circular: true, dependencyTypesNot: ['type-only'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '\\.(spec|int-spec|e2e-spec)\\.ts$' },
  },
};
