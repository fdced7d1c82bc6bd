export { AdminModule } from './admin.module';
export { AdminAuditLogService } from './application/admin-audit-log.service';
export type { AuditRecord, AuditStart, AuditedRead } from './application/admin-audit-log.service';
export { emailTarget } from './application/audit-target';
export { NO_VALID_TOKEN } from './persistence/admin-audit.entity';
export { tokenFingerprint } from './http/admin-caller';
export { RequestThrottle, throttledAddress } from './http/request-throttle';
export type { ThrottleBudget } from './http/request-throttle';
export { openApiDocument, setUpOpenApi } from './http/openapi';
// For the admin routes other modules declare (webhooks): the same token, budget and audit log.
export { AdminOnly } from './http/admin-token.guard';
export { Audited } from './http/audited.decorator';
export { found } from './http/not-found';
