/**
 * How an operation is declared in `operations/<group>.ts`: its own export, built by a function called
 * once. A function's bundle imports its own operation only (functions/entries/); esbuild drops an unused
 * `/* @__PURE__ *\/` call whose argument is a function, so the group's other operations, and the helpers
 * only they use, stay out of it.
 */
import type { OperationSpec } from './types';

export const operation = (declare: () => OperationSpec): OperationSpec => declare();
