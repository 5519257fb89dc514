import { checkAgainstWtsReference, type UpstreamRequest } from './wts-contract';

const ID = '3fa85f64-5717-4562-b3fc-2c963f66afa6';
const ID2 = '0b4f3c1e-8f0e-4a57-9a53-6b1f0f0d2e11';

const req = (method: string, path: string, body?: unknown, query: Record<string, string[]> = {}): UpstreamRequest => ({
  method,
  path,
  query,
  body,
});

const problemsOf = (r: UpstreamRequest): string[] => checkAgainstWtsReference(r);

describe('checkAgainstWtsReference', () => {
  describe('requests that fit', () => {
    it.each<[string, UpstreamRequest]>([
      [
        'complete a session',
        req('PUT', `/chat/v1/session/${ID}/complete`, { reactivateOnNewMessage: false, stopBotInExecution: false }),
      ],
      ['create a contact with upsert', req('POST', '/core/v1/contact', { name: 'x', options: { upsert: true } })],
      [
        'nullable properties set to null',
        req('POST', '/core/v1/contact', { name: null, tagIds: null, options: { upsertTagOperation: null } }),
      ],
      [
        'list messages with paging (PascalCase query)',
        req('GET', '/chat/v1/message', undefined, {
          SessionId: [ID],
          PageNumber: ['2'],
          PageSize: ['100'],
          OrderDirection: ['DESCENDING'],
          'CreatedAt.After': ['2024-01-01T00:00:00Z'],
        }),
      ],
      [
        'query keys compared case-insensitively',
        req('GET', '/chat/v1/message', undefined, { sessionid: [ID], pageSize: ['10'] }),
      ],
      [
        'arrays as repeated keys, dictionary parameter',
        req('GET', '/chat/v2/session', undefined, {
          Status: ['STARTED', 'IN_PROGRESS'],
          TagsId: [ID, ID2],
          'Metadata[orderId]': ['42'],
        }),
      ],
      ['create a panel card', req('POST', '/crm/v2/panel/card', { stepId: ID, title: 'Deal', monetaryAmount: 10.5 })],
      ['literal segment beats a template', req('GET', '/core/v1/contact/custom-field')],
      ['literal segment beats an earlier template', req('GET', `/chat/v1/session/note/${ID}`)],
      ['contact by phone number', req('GET', '/core/v1/contact/phonenumber/5511999999999', undefined, { IncludeDetails: ['Tags'] })],
      ['percent-encoded path value', req('GET', '/core/v1/contact/phonenumber/%2B5511999999999')],
      ['array request body', req('POST', '/chat/v1/scheduled-message/batch-cancel', [ID, ID2])],
      ['full URL', req('GET', `https://api.wts.chat/crm/v2/panel/card/${ID}`)],
    ])('%s', (_name, r) => {
      expect(problemsOf(r)).toEqual([]);
    });
  });

  describe('requests that do not fit', () => {
    const expectProblem = (r: UpstreamRequest, ...patterns: RegExp[]): string[] => {
      const problems = problemsOf(r);
      expect(problems.length).toBeGreaterThan(0);
      for (const p of patterns) expect(problems.join('\n')).toMatch(p);
      return problems;
    };

    it('non-uuid path id', () => {
      expectProblem(
        req('PUT', '/chat/v1/session/not-a-uuid/complete', { reactivateOnNewMessage: false, stopBotInExecution: false }),
        /path parameter id.*uuid/,
      );
    });

    it('missing required query parameter', () => {
      expectProblem(req('GET', '/chat/v1/message', undefined, { PageSize: ['10'] }), /SessionId/);
    });

    it('missing required body property', () => {
      expectProblem(req('POST', '/crm/v2/panel/card', { stepId: ID }), /title/);
    });

    it('unknown path', () => {
      expectProblem(req('GET', '/chat/v1/nothing-here'), /no path/);
    });

    it('unknown service', () => {
      expectProblem(req('GET', '/billing/v1/invoice'), /unknown service "billing"/);
    });

    it('method not offered by the path', () => {
      expectProblem(req('DELETE', '/core/v1/contact'), /no DELETE operation/);
    });

    it('typo property at the top level', () => {
      expectProblem(req('POST', '/core/v1/contact', { nme: 'x' }), /unknown property "nme"/);
    });

    it('typo property in a nested object', () => {
      expectProblem(
        req('POST', '/core/v1/contact', { name: 'x', options: { upsrt: true } }),
        /body\/options: unknown property "upsrt"/,
      );
    });

    it('wrong body types, formats and enums', () => {
      const problems = expectProblem(
        req('POST', '/crm/v2/panel/card', { stepId: 'nope', title: 'T', position: 'first', dueDate: 'tomorrow' }),
        /body\/stepId: must match format "uuid"/,
        /body\/position: must be number/,
        /body\/dueDate: must match format "date-time"/,
      );
      expect(problems).toHaveLength(3);
      expectProblem(
        req('POST', '/core/v1/contact', { name: 'x', options: { upsertTagOperation: 'SOMETIMES' } }),
        /upsertTagOperation.*not one of/,
      );
    });

    it('missing JSON body', () => {
      expectProblem(req('POST', '/crm/v2/panel/card'), /request body is missing/);
    });

    it('body on an operation without one', () => {
      expectProblem(req('GET', '/core/v1/contact/custom-field', {}), /takes no request body/);
    });

    it('unknown query key', () => {
      expectProblem(
        req('GET', '/chat/v1/message', undefined, { SessionId: [ID], Page: ['1'] }),
        /unknown query parameter "Page"/,
      );
    });

    it('query values outside their schema', () => {
      expectProblem(req('GET', '/chat/v1/message', undefined, { SessionId: [ID], PageSize: ['0'] }), /PageSize: must be >= 1/);
      expectProblem(req('GET', '/chat/v1/message', undefined, { SessionId: [ID], PageSize: ['101'] }), /PageSize: must be <= 100/);
      expectProblem(req('GET', '/chat/v1/message', undefined, { SessionId: [ID], PageNumber: ['abc'] }), /not a number/);
      expectProblem(req('GET', '/chat/v1/message', undefined, { SessionId: [ID], PageSize: ['1.5'] }), /must be integer/);
      expectProblem(
        req('GET', '/chat/v1/message', undefined, { SessionId: [ID], OrderDirection: ['asc'] }),
        /OrderDirection: "asc" is not one of/,
      );
      expectProblem(req('GET', '/chat/v1/message', undefined, { SessionId: ['x'] }), /SessionId: must match format "uuid"/);
      expectProblem(
        req('GET', '/chat/v2/session', undefined, { Status: ['STARTED', 'OPEN'] }),
        /Status: "OPEN" is not one of/,
      );
    });

    it('non-array query parameter sent twice', () => {
      expectProblem(req('GET', '/chat/v1/message', undefined, { SessionId: [ID, ID2] }), /sent 2 times/);
    });

    it('literal path segment in the wrong case', () => {
      expectProblem(req('GET', '/core/v1/Contact/custom-field'), /case differs/);
    });
  });
});
