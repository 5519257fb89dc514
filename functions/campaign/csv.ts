/**
 * CSV, streamed: records come out as the text comes in, so a file of a million rows is read in flat
 * memory. RFC 4180 (quoted fields with `""` escapes, commas and line breaks inside quotes, CRLF or LF),
 * plus what spreadsheets export: a UTF-8 byte-order mark, and `;` as the separator (Excel in Brazil
 * and Portugal), detected from the header line.
 *
 * csv-parse would do the same; this small parser keeps the functions' bundle free of it and does only
 * what campaign files need.
 */

export class CsvFormatError extends Error {
  override name = 'CsvFormatError';
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(`${message} (line ${line})`);
  }
}

export interface CsvRecord {
  fields: string[];
  /** Line of the file on which the record starts (1-based). */
  line: number;
}

export type CsvDelimiter = ',' | ';' | '\t';

/** The separator the header line uses: the one of `,`, `;` and tab it holds most of, outside quotes (`,` on a tie). */
export const detectDelimiter = (headerLine: string): CsvDelimiter => {
  const counts = { ',': 0, ';': 0, '\t': 0 };
  let quoted = false;
  for (const c of headerLine) {
    if (c === '"') quoted = !quoted;
    else if (!quoted && (c === ',' || c === ';' || c === '\t')) counts[c]++;
  }
  if (counts[';'] > counts[','] && counts[';'] >= counts['\t']) return ';';
  if (counts['\t'] > counts[','] && counts['\t'] > counts[';']) return '\t';
  return ',';
};

/**
 * The records of CSV text arriving in chunks (strings or UTF-8 bytes, split anywhere). Empty lines are
 * skipped. An unclosed quote at the end is a CsvFormatError naming the line where the field began.
 */
export async function* csvRecords(chunks: AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>, options: { delimiter?: CsvDelimiter } = {}): AsyncGenerator<CsvRecord> {
  const decoder = new TextDecoder('utf-8');
  let delimiter = options.delimiter;
  let pending = ''; // text held back until the delimiter is known
  let first = true;

  let fields: string[] = [];
  let field = '';
  let quoted = false; // inside a quoted field
  let afterQuote = false; // a quote just closed (or an escaped quote is coming)
  let line = 1;
  let recordLine = 1;
  let fieldStarted = false;
  let lastWasCr = false;
  const out: CsvRecord[] = [];

  const endField = () => {
    fields.push(field);
    field = '';
    fieldStarted = false;
    afterQuote = false;
  };
  const endRecord = () => {
    endField();
    // A blank line is no record.
    if (!(fields.length === 1 && fields[0] === '')) out.push({ fields, line: recordLine });
    fields = [];
  };

  const feed = (text: string) => {
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      if (quoted) {
        lastWasCr = false;
        if (c === '"') {
          quoted = false;
          afterQuote = true;
        } else {
          if (c === '\n') line++;
          field += c;
        }
        continue;
      }
      if (afterQuote && c === '"') {
        // `""` inside a quoted field: one quote, and the field goes on being quoted.
        field += '"';
        quoted = true;
        afterQuote = false;
        continue;
      }
      const afterCr = lastWasCr;
      lastWasCr = c === '\r';
      if (c === delimiter) {
        endField();
      } else if (c === '\n' || c === '\r') {
        // CRLF is one line break, even split across two chunks; a lone CR (old Mac exports) is one too.
        if (c === '\n' && afterCr) continue;
        endRecord();
        line++;
        recordLine = line;
      } else if (c === '"' && !fieldStarted) {
        quoted = true;
        fieldStarted = true;
      } else {
        // A quote in the middle of an unquoted field is kept as it is (lenient, like spreadsheets).
        field += c;
        fieldStarted = true;
      }
    }
  };

  const take = (text: string) => {
    if (first) {
      first = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    if (!delimiter) {
      pending += text;
      const newline = pending.search(/[\r\n]/);
      if (newline < 0) return;
      delimiter = detectDelimiter(pending.slice(0, newline));
      text = pending;
      pending = '';
    }
    feed(text);
  };

  for await (const chunk of chunks) {
    take(typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }));
    if (out.length) yield* out.splice(0);
  }
  take(decoder.decode());
  if (!delimiter && pending) {
    delimiter = detectDelimiter(pending);
    feed(pending);
  }
  if (quoted) throw new CsvFormatError('a quoted field is not closed', recordLine);
  if (field !== '' || fields.length > 0 || fieldStarted) endRecord();
  yield* out.splice(0);
}

/** One CSV field: quoted when it holds the separator, a quote or a line break (and a formula-looking start is left to the reader). */
export const csvField = (value: string | number | undefined | null): string => {
  const text = value === undefined || value === null ? '' : String(value);
  return /[",\r\n;]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

/** One CSV line (CRLF, as RFC 4180 and spreadsheets expect). */
export const csvLine = (values: readonly (string | number | undefined | null)[]): string => `${values.map(csvField).join(',')}\r\n`;
