/**
 * The DynamoDB table Powertools' idempotency utility keeps its records in: one item per idempotency key
 * of an unsafe call (send, create…), holding the first result for the window.
 *
 * The layout is Powertools' default (`DynamoDBPersistenceLayer` with no attribute overrides): partition
 * key `id` (string), and `expiration`, `status`, `data`, `in_progress_expiration`, `validation`.
 * DynamoDB's TTL on `expiration` deletes expired records (Powertools ignores an expired record that TTL has
 * not removed yet, so TTL's lag never replays a stale answer).
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';

/** Powertools' default attribute names; the functions' persistence layer relies on them. */
export const IDEMPOTENCY_ATTRIBUTES = {
  key: 'id',
  expiry: 'expiration',
  inProgressExpiry: 'in_progress_expiration',
  status: 'status',
  data: 'data',
  validation: 'validation',
} as const;

/** Exactly what the persistence layer calls: read a record, claim a key, save the result, drop a failed call's claim. */
export const IDEMPOTENCY_TABLE_ACTIONS = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'] as const;

export class WtsIdempotencyTable extends Construct {
  readonly table: dynamodb.Table;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: IDEMPOTENCY_ATTRIBUTES.key, type: dynamodb.AttributeType.STRING },
      // Traffic follows sends: bursty and mostly idle, which on-demand bills by the request.
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: IDEMPOTENCY_ATTRIBUTES.expiry,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // The records are what stops a redelivered send from going out twice: a stack replaced or deleted
      // by mistake must not forget them.
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}
