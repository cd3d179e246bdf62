import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { HttpError, OBJECT_RULE, parseInput, reject, toHttpError } from '../src/errors.js';

describe('toHttpError', () => {
  it('maps the errors of express.json and of the HTTP parser to their 4xx', () => {
    expect(toHttpError({ type: 'entity.too.large' })).toMatchObject({
      status: 413,
      code: 'payload_too_large',
    });
    expect(toHttpError({ code: 'HPE_HEADER_OVERFLOW' })).toMatchObject({ status: 431 });
  });

  it('finds no known error in the names Object.prototype has', () => {
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      const answer = toHttpError(Object.assign(new Error('boom'), { code: name }));
      expect(answer, name).toBeInstanceOf(HttpError);
      expect(answer, name).toMatchObject({ status: 500, code: 'internal' });
      expect(toHttpError({ type: name }), name).toMatchObject({ status: 500 });
    }
  });

  it('keeps a 4xx status an error carries, with its message', () => {
    expect(toHttpError({ status: 404, message: 'gone' })).toMatchObject({
      status: 404,
      code: 'bad_request',
      message: 'gone',
    });
  });
});

describe('parseInput', () => {
  const schema = z.object(
    {
      n: z
        .string()
        .transform((text, context) => (text === 'ok' ? 1 : reject(context, 'is not ok'))),
    },
    OBJECT_RULE,
  );
  const parse = (input: unknown) =>
    parseInput(schema, input, { '': 'invalid_body', n: 'invalid_n' });

  it('answers 400 with the code of the field and its path in the message', () => {
    expect(parse({ n: 'ok' })).toEqual({ n: 1 });
    expect(() => parse({ n: 'no' })).toThrow(
      expect.objectContaining({ status: 400, code: 'invalid_n', message: 'n: is not ok' }),
    );
    expect(() => parse([])).toThrow(
      expect.objectContaining({ code: 'invalid_body', message: 'body: must be a JSON object' }),
    );
  });
});
