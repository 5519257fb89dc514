// Types of validators.generated.js (Ajv standalone code, one validator per operation id).
import type { ValidateFunction } from 'ajv';

declare const validators: Record<string, ValidateFunction>;
export = validators;
