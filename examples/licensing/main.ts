/**
 * Example (b), run: the service with the licensing strategy plugged in, as an entry point of one's own
 * (`node dist/examples/licensing/main.js`). ACME_URL: where the licensing API is; ACME_API_KEY its key;
 * ACME_PRODUCT_IDS the 2Checkout product ids it licenses (comma-separated; default: the sample order's).
 */
import { DEFAULT_PRODUCTS } from '../../src/cli/sample-notification';
import { serveOrExit } from '../../src/main';
import { AcmeLicensingModule } from './acme-licensing.module';

serveOrExit([
  AcmeLicensingModule.forRoot({
    baseUrl: process.env.ACME_URL ?? 'http://127.0.0.1:9',
    apiKey: process.env.ACME_API_KEY ?? 'acme-example-key',
    productIds: process.env.ACME_PRODUCT_IDS?.split(',') ?? DEFAULT_PRODUCTS.map((product) => product.id),
  }),
]);
