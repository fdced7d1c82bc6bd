export { AdminModule } from './admin.module';
export { AdminAuditLog } from './application/admin-audit-log.service';
export { tokenFingerprint } from './http/admin-caller';
export { openApiDocument, setUpOpenApi } from './http/openapi';
