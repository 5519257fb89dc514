/**
 * Helpers for the CDK tests: synthesize the stack offline (bundling skipped unless asked), read the
 * template, rebuild API routes from the resource tree, and render intrinsic functions into plain
 * strings with placeholder ARNs.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, NestedStack, type Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { createApp } from '../../lib/app';
import type { WtsChatFunctionsProps } from '../../lib/config';
import { WtsChatFunctionsStack } from '../../lib/wts-chat-functions-stack';

export const ROOT = path.resolve(__dirname, '..', '..');

/** The context of `cdk.json` (feature flags and wts defaults), so tests synthesize what `cdk synth` does. */
export const CDK_JSON_CONTEXT: Record<string, unknown> = JSON.parse(fs.readFileSync(path.join(ROOT, 'cdk.json'), 'utf8')).context;

/** Bundling off: `aws:cdk:bundling-stacks: []` skips esbuild, so a synth takes a second or two. */
export const NO_BUNDLING = { 'aws:cdk:bundling-stacks': [] as string[] };

const outdirs: string[] = [];
/** A fresh cloud-assembly directory, removed when the test file is done. */
export const tempOutdir = (): string => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wts-cdk-'));
  outdirs.push(dir);
  return dir;
};
if (typeof afterAll === 'function') {
  afterAll(() => {
    for (const dir of outdirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });
}

export interface Synthesized {
  app: App;
  stack: WtsChatFunctionsStack;
  template: Template;
  json: CfnTemplate;
}

export interface CfnResource {
  Type: string;
  Properties?: Record<string, any>;
  DependsOn?: string[];
  DeletionPolicy?: string;
}
export interface CfnTemplate {
  Resources: Record<string, CfnResource>;
  Outputs?: Record<string, { Value: unknown }>;
  Parameters?: Record<string, unknown>;
}

/** Deep copy of a template value with `swap` applied to every node (its answer replaces the node when defined). */
const rewrite = (node: unknown, swap: (node: Record<string, unknown>) => unknown): unknown => {
  if (Array.isArray(node)) return node.map((item) => rewrite(item, swap));
  if (node === null || typeof node !== 'object') return node;
  const swapped = swap(node as Record<string, unknown>);
  if (swapped !== undefined) return swapped;
  return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, rewrite(value, swap)]));
};

/**
 * The stack's template with its nested stacks folded in, as if it were one template: each nested stack's
 * resources join the parent's, its parameters are replaced by what the parent passes, and the parent's
 * `Outputs.X` reads by what the nested output holds. The functions live in nested stacks (one per
 * operation group, to stay under CloudFormation's 500 resources a template); assertions read the whole.
 */
export const flatTemplateJson = (stack: Stack): CfnTemplate => {
  let json = Template.fromStack(stack).toJSON() as CfnTemplate;
  const children = stack.node.findAll().filter((c): c is NestedStack => c instanceof NestedStack && c.nestedStackParent === stack);
  for (const nested of children) {
    const resourceId = stack.getLogicalId(nested.nestedStackResource!);
    const passed = (json.Resources[resourceId].Properties?.Parameters ?? {}) as Record<string, unknown>;
    const inner = rewrite(flatTemplateJson(nested), (n) => (typeof n.Ref === 'string' && Object.hasOwn(passed, n.Ref) ? passed[n.Ref] : undefined)) as CfnTemplate;
    json = rewrite(json, (n) => {
      const att = n['Fn::GetAtt'];
      if (!Array.isArray(att) || att[0] !== resourceId) return undefined;
      return inner.Outputs![String(att[1]).replace(/^Outputs\./, '')].Value;
    }) as CfnTemplate;
    delete json.Resources[resourceId];
    for (const [id, resource] of Object.entries(inner.Resources)) {
      if (json.Resources[id]) throw new Error(`logical id ${id} in both ${stack.stackName} and its nested stack`);
      json.Resources[id] = resource;
    }
    for (const resource of Object.values(json.Resources)) {
      if (resource.DependsOn) resource.DependsOn = resource.DependsOn.filter((d) => d !== resourceId);
    }
  }
  return json;
};

/** `Template.fromStack`, with the nested stacks folded in (see `flatTemplateJson`). */
export const templateOf = (stack: Stack): Template => Template.fromJSON(flatTemplateJson(stack) as unknown as Record<string, unknown>);

/** GIVEN props WHEN the stack is synthesized (no bundling) THEN its template. */
export const synthStack = (wts: WtsChatFunctionsProps = {}, context: Record<string, unknown> = {}): Synthesized => {
  const app = new App({ context: { ...CDK_JSON_CONTEXT, ...NO_BUNDLING, ...context }, outdir: tempOutdir() });
  const stack = new WtsChatFunctionsStack(app, 'WtsTest', { wts });
  const template = templateOf(stack);
  return { app, stack, template, json: template.toJSON() as CfnTemplate };
};

/** The real app (`bin/app.ts`) with `cdk.json` context plus overrides, as `cdk synth -c …` would build it. */
export const synthApp = (context: Record<string, unknown> = {}) => {
  const { app, stack } = createApp({ context: { ...CDK_JSON_CONTEXT, ...NO_BUNDLING, ...context }, outdir: tempOutdir() });
  return { app, stack };
};

export const resourcesOfType = (json: CfnTemplate, type: string): [string, CfnResource][] =>
  Object.entries(json.Resources).filter(([, r]) => r.Type === type);

/** Logical id of each function → its operation id (from `WTS_OPERATION_ID`). */
export const functionOperations = (json: CfnTemplate): Map<string, string> =>
  new Map(resourcesOfType(json, 'AWS::Lambda::Function').map(([id, r]) => [id, r.Properties!.Environment.Variables.WTS_OPERATION_ID as string]));

/**
 * Rebuilds each method's path by walking the `AWS::ApiGateway::Resource` tree (ParentId / PathPart up
 * to the RestApi's root) and names the function its integration calls.
 */
export const apiMethods = (json: CfnTemplate): { method: string; path: string; functionId?: string; props: Record<string, any>; logicalId: string }[] => {
  const resources = new Map(resourcesOfType(json, 'AWS::ApiGateway::Resource').map(([id, r]) => [id, r.Properties!]));
  const pathOf = (ref: unknown): string => {
    if (ref && typeof ref === 'object' && 'Fn::GetAtt' in ref) return ''; // the RestApi's RootResourceId
    const id = (ref as { Ref: string }).Ref;
    const r = resources.get(id);
    if (!r) throw new Error(`Resource ${id} not found`);
    return `${pathOf(r.ParentId)}/${r.PathPart}`;
  };
  return resourcesOfType(json, 'AWS::ApiGateway::Method').map(([logicalId, r]) => {
    const p = r.Properties!;
    const uriParts: unknown[] = p.Integration?.Uri?.['Fn::Join']?.[1] ?? [];
    const getAtt = uriParts.find((x): x is { 'Fn::GetAtt': [string, string] } => !!x && typeof x === 'object' && 'Fn::GetAtt' in x);
    return { method: p.HttpMethod, path: pathOf(p.ResourceId) || '/', functionId: getAtt?.['Fn::GetAtt'][0], props: p, logicalId };
  });
};

export const PLACEHOLDER = { partition: 'aws', region: 'us-east-1', account: '123456789012' } as const;

/**
 * Resolves the intrinsics CDK puts in a definition (Fn::Join, Ref, Fn::GetAtt) into strings:
 * a function's Arn becomes `arn:aws:lambda:us-east-1:123456789012:function:<LogicalId>`.
 */
export const renderIntrinsics = (value: unknown, json: CfnTemplate): unknown => {
  if (Array.isArray(value)) return value.map((v) => renderIntrinsics(v, json));
  if (!value || typeof value !== 'object') return value;
  const obj = value as Record<string, unknown>;
  if ('Fn::Join' in obj) {
    const [sep, parts] = obj['Fn::Join'] as [string, unknown[]];
    return parts.map((p) => renderIntrinsics(p, json)).join(sep);
  }
  if ('Ref' in obj) {
    const ref = obj.Ref as string;
    if (ref === 'AWS::Partition') return PLACEHOLDER.partition;
    if (ref === 'AWS::Region') return PLACEHOLDER.region;
    if (ref === 'AWS::AccountId') return PLACEHOLDER.account;
    if (ref === 'AWS::URLSuffix') return 'amazonaws.com';
    return ref;
  }
  if ('Fn::GetAtt' in obj) {
    const [id, attr] = obj['Fn::GetAtt'] as [string, string];
    const type = json.Resources[id]?.Type;
    if (type === 'AWS::Lambda::Function' && attr === 'Arn') return `arn:aws:lambda:${PLACEHOLDER.region}:${PLACEHOLDER.account}:function:${id}`;
    return `arn:aws:placeholder:${PLACEHOLDER.region}:${PLACEHOLDER.account}:${id}/${attr}`;
  }
  return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, renderIntrinsics(v, json)]));
};

/** The example state machine's definition as ASL JSON (placeholders for ARNs). */
export const stateMachineDefinition = (json: CfnTemplate): { asl: any; logicalId: string } => {
  const machines = resourcesOfType(json, 'AWS::StepFunctions::StateMachine');
  if (machines.length !== 1) throw new Error(`expected one state machine, found ${machines.length}`);
  const [logicalId, sm] = machines[0];
  return { asl: JSON.parse(renderIntrinsics(sm.Properties!.DefinitionString, json) as string), logicalId };
};

/** Walks a JSON value, calling `visit` on every object (with its key path). */
export const walkJson = (value: unknown, visit: (obj: Record<string, unknown>, at: string) => void, at = '$'): void => {
  if (Array.isArray(value)) value.forEach((v, i) => walkJson(v, visit, `${at}[${i}]`));
  else if (value && typeof value === 'object') {
    visit(value as Record<string, unknown>, at);
    for (const [k, v] of Object.entries(value)) walkJson(v, visit, `${at}.${k}`);
  }
};
