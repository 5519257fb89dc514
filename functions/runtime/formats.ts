/** String formats the registry's schemas use. Shared by the generated validators and the codegen. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// ISO-8601 date or date-time; a time without an offset is read as UTC.
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}([Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:?\d{2})?)?$/;

export const uuid = (v: string): boolean => UUID.test(v);
export const dateTime = (v: string): boolean => ISO_DATE_TIME.test(v) && !Number.isNaN(Date.parse(v));
export const email = (v: string): boolean => /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v);
export const uri = (v: string): boolean => /^https?:\/\/\S+$/i.test(v);

/** Format name (as in the schemas) → check. */
export const FORMATS = { uuid, 'date-time': dateTime, email, uri } as const;
