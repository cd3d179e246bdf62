import { HttpError } from '@appdist/service-kit/errors';
import express, { type RequestHandler } from 'express';

const readText = express.text({ type: () => true, limit: '16kb' });

/**
 * The shared runtime parses `application/json` bodies only. Operators open gates with
 * `curl -d '{"name":…}'`, which sends `application/x-www-form-urlencoded`, and
 * flagger-loadtester reads any body as JSON, so these routes do too whatever the content type.
 */
export const jsonOfAnyContentType: RequestHandler = (req, res, next) => {
  if (req.body !== undefined) {
    next();
    return;
  }
  readText(req, res, (error?: unknown) => {
    if (error) {
      next(error);
      return;
    }
    const text: unknown = req.body;
    if (typeof text !== 'string' || text.trim() === '') {
      req.body = undefined;
      next();
      return;
    }
    try {
      req.body = JSON.parse(text);
    } catch {
      next(new HttpError(400, 'invalid_json', 'request body is not valid JSON'));
      return;
    }
    next();
  });
};
