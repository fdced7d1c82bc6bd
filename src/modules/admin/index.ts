export { AdminModule } from './admin.module';
export { openApiDocument, setUpOpenApi } from './http/openapi';
