import type { RequestHandler, Response } from 'express';
import type { AccessControl, Principal, Role } from '../config/access-config';
import { AppError } from '../services/app-errors';

/** The caller, set by `authenticate`. */
export function principalOf(res: Response): Principal {
  return res.locals.principal as Principal;
}

/** The caller as the audit trail names it: `api-key:<id> (<role>)` (the key's id from config/access.json, never the key). */
export const actorOf = (p: Principal): string => `api-key:${p.id} (${p.role})`;

/** Requires an API key (`x-api-key`, or `Authorization: Bearer <key>`); 401 without a valid one. */
export function authenticate(access: AccessControl): RequestHandler {
  return (req, res, next) => {
    const bearer = /^Bearer\s+(.+)$/i.exec(req.header('authorization') ?? '')?.[1];
    const key = req.header('x-api-key') ?? bearer;
    if (!key) return next(new AppError(401, 'UNAUTHENTICATED', 'an API key is required (header x-api-key)'));
    const principal = access.authenticate(key);
    if (!principal) return next(new AppError(401, 'UNAUTHENTICATED', 'the API key is not valid'));
    res.locals.principal = principal;
    next();
  };
}

/** 403 unless the caller has the role. */
export function requireRole(role: Role): RequestHandler {
  return (_req, res, next) => {
    if (principalOf(res).role !== role) return next(new AppError(403, 'FORBIDDEN', `this needs the ${role} role`));
    next();
  };
}
