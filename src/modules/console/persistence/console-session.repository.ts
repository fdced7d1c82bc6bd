import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

/** Every statement on console_session. */
@Injectable()
export class ConsoleSessionRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async insert(idHash: string, tokenFingerprint: string, now: Date, expiresAt: Date): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO console_session (id_hash, token_fingerprint, expires_at, created_at, last_seen_at) VALUES ($1, $2, $3, $4, $4)`,
      [idHash, tokenFingerprint, expiresAt, now],
    );
  }

  /** The live session's last use, or undefined when there is none (unknown, expired, or of another token). */
  async lastSeen(idHash: string, tokenFingerprint: string, now: Date): Promise<Date | undefined> {
    const [row] = (await this.dataSource.query(
      `SELECT last_seen_at FROM console_session WHERE id_hash = $1 AND token_fingerprint = $2 AND expires_at > $3`,
      [idHash, tokenFingerprint, now],
    )) as Array<{ last_seen_at: Date }>;
    return row?.last_seen_at;
  }

  async touch(idHash: string, now: Date): Promise<void> {
    await this.dataSource.query(`UPDATE console_session SET last_seen_at = $2 WHERE id_hash = $1`, [idHash, now]);
  }

  async delete(idHash: string): Promise<void> {
    await this.dataSource.query(`DELETE FROM console_session WHERE id_hash = $1`, [idHash]);
  }

  /** Keeps the `max` sessions that expire last (the newest); returns how many others it deleted. */
  async keepNewest(max: number): Promise<number> {
    const [, deleted] = (await this.dataSource.query(
      `DELETE FROM console_session WHERE id_hash IN (
         SELECT id_hash FROM console_session ORDER BY expires_at DESC, id_hash OFFSET $1)`,
      [max],
    )) as [unknown, number];
    return deleted;
  }

  /** Deletes at most `limit` sessions expired before `before`; returns how many it deleted. */
  async deleteExpired(before: Date, limit: number): Promise<number> {
    const [, deleted] = (await this.dataSource.query(
      `DELETE FROM console_session WHERE id_hash IN (
         SELECT id_hash FROM console_session WHERE expires_at < $1 ORDER BY expires_at LIMIT $2)`,
      [before, limit],
    )) as [unknown, number];
    return deleted;
  }
}
