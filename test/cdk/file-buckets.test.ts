/**
 * Files from S3 in the stack (issue 9): the context key `wtsFileBuckets` grants `s3:GetObject` on those
 * buckets' objects to the file-sending functions alone, with `WTS_FILE_BUCKETS` naming them; by default
 * no function reads any bucket (and `fileS3` is a WtsConfigError at run time).
 */
import { AwsSolutionsChecks } from 'cdk-nag';
import { operations } from '../../functions/registry';
import { WtsConfigurationError } from '../../lib/config';
import { functionOperations, resourcesOfType, synthApp, synthStack, type CfnTemplate , templateOf } from './support';

const FILE_OPERATIONS = Object.values(operations)
  .filter((op) => Object.hasOwn(op.inputs, 'fileS3'))
  .map((op) => op.id)
  .sort();

const statementsOfFunction = (json: CfnTemplate, fnId: string): any[] => {
  const roleId = json.Resources[fnId].Properties!.Role['Fn::GetAtt'][0] as string;
  return (json.Resources[roleId].Properties!.Policies as { PolicyDocument: { Statement: any[] } }[]).flatMap((p) => p.PolicyDocument.Statement);
};
const s3Statements = (json: CfnTemplate, fnId: string) => statementsOfFunction(json, fnId).filter((s) => JSON.stringify(s.Action).includes('s3:'));

test('the file-sending operations are the sends (send API media sends too) and the file note', () => {
  expect(FILE_OPERATIONS).toEqual([
    'message.sendFile',
    'message.sendTemplate',
    'panel.createFileNote',
    'send.audio',
    'send.document',
    'send.image',
    'send.video',
    'session.sendFile',
    'session.sendTemplate',
  ]);
});

test('by default no function may read S3 or names a bucket', () => {
  const { json } = synthStack();
  for (const [fnId] of functionOperations(json)) {
    expect(s3Statements(json, fnId)).toEqual([]);
    expect(json.Resources[fnId].Properties!.Environment.Variables.WTS_FILE_BUCKETS).toBeUndefined();
  }
});

test('-c wtsFileBuckets=a,b: exactly s3:GetObject on those buckets’ objects, for the file-sending functions only', () => {
  const { stack } = synthApp({ wtsFileBuckets: 'wts-arquivos,boletos.loja' });
  const json = templateOf(stack).toJSON() as CfnTemplate;
  const byOperation = functionOperations(json);
  expect(byOperation.size).toBeGreaterThan(FILE_OPERATIONS.length);
  for (const [fnId, opId] of byOperation) {
    const env = json.Resources[fnId].Properties!.Environment.Variables;
    if (FILE_OPERATIONS.includes(opId)) {
      expect(env.WTS_FILE_BUCKETS).toBe('wts-arquivos,boletos.loja');
      const statements = s3Statements(json, fnId);
      expect(statements).toEqual([{ Sid: 'ReadFilesToSend', Effect: 'Allow', Action: 's3:GetObject', Resource: expect.any(Array) }]);
      // (CDK sorts the resources of a statement.)
      expect(statements[0].Resource.map((r: { 'Fn::Join': [string, unknown[]] }) => r['Fn::Join'][1][2]).sort()).toEqual([':s3:::boletos.loja/*', ':s3:::wts-arquivos/*']);
    } else {
      expect(env.WTS_FILE_BUCKETS).toBeUndefined();
      expect(s3Statements(json, fnId)).toEqual([]);
    }
  }
  // The object wildcard is acknowledged with its reason; nothing else is left for cdk-nag.
  const violations = new AwsSolutionsChecks(undefined, { verbose: true }).validateScope(stack).violations;
  expect(violations.filter((v) => /s3:::/.test(JSON.stringify(v)))).toEqual([]);
  expect(resourcesOfType(json, 'AWS::S3::Bucket')).toEqual([]);
});

test('a bucket name S3 would refuse is a synth error naming the setting', () => {
  expect(() => synthStack({ fileBuckets: ['Wts_Arquivos'] })).toThrow(WtsConfigurationError);
  expect(() => synthStack({ fileBuckets: ['Wts_Arquivos'] })).toThrow(/fileBuckets: must be a list of S3 bucket names/);
});
