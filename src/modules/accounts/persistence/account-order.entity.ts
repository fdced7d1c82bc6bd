import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/** Which account an order belongs to. */
@Entity('account_order')
@Index('IDX_account_order_account', ['accountId'])
export class AccountOrderEntity {
  @PrimaryColumn({ name: 'ref_no', type: 'text', primaryKeyConstraintName: 'PK_account_order' })
  refNo!: string;

  @Column({ name: 'account_id', type: 'uuid' })
  accountId!: string;

  @CreateDateColumn({ name: 'linked_at', type: 'timestamptz' })
  linkedAt!: Date;
}
