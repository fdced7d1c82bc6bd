import { Controller, DefaultValuePipe, Get, HttpStatus, ParseIntPipe, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { AppException, ErrorCode } from '../../../core/errors';
import { AdminAuditLogService } from '../application/admin-audit-log.service';
import { AdminOnly } from './admin-token.guard';
import { AuditEntryDto } from './dto/audit.dto';

/** The audit log: every replay, retry, read of customer data and console sign-in, who asked and how it ended. */
@ApiTags('operations')
@Controller('api')
@AdminOnly()
export class AuditAdminController {
  constructor(private readonly audit: AdminAuditLogService) {}

  @Get('audit')
  @ApiOperation({
    summary:
      'Replays, retries, reads of customer data (here and in the console) and console sign-ins, newest first: who (token fingerprint, address), what, when, outcome',
  })
  @ApiQuery({ name: 'limit', required: false, description: '1 to 1000, default 100' })
  @ApiQuery({ name: 'before', required: false, description: 'ISO time: entries older than this (the next page)' })
  @ApiOkResponse({ type: [AuditEntryDto] })
  list(@Query('limit', new DefaultValuePipe(100), ParseIntPipe) limit: number, @Query('before') before?: string) {
    if (limit < 1 || limit > 1000)
      throw new AppException(HttpStatus.BAD_REQUEST, ErrorCode.BadRequest, 'limit must be between 1 and 1000.');
    const until = before === undefined ? undefined : new Date(before);
    if (until && Number.isNaN(until.getTime()))
      throw new AppException(HttpStatus.BAD_REQUEST, ErrorCode.BadRequest, 'before must be an ISO time.');
    return this.audit.newest(limit, until);
  }
}
