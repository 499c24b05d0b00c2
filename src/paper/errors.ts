import type { Response } from 'express';

/** Kite Connect v3 error types (the `error_type` field of an error envelope). */
export const KITE_ERROR_TYPES = [
  'TokenException',
  'UserException',
  'OrderException',
  'InputException',
  'MarginException',
  'HoldingException',
  'NetworkException',
  'DataException',
  'GeneralException',
  'PermissionException',
] as const;
export type KiteErrorType = (typeof KITE_ERROR_TYPES)[number];

const DEFAULT_STATUS: Record<KiteErrorType, number> = {
  TokenException: 403,
  UserException: 403,
  PermissionException: 403,
  OrderException: 400,
  InputException: 400,
  MarginException: 400,
  HoldingException: 400,
  NetworkException: 503,
  DataException: 502,
  GeneralException: 500,
};

/** The HTTP status Kite answers with for an error type. */
export function httpStatusFor(errorType: KiteErrorType): number {
  return DEFAULT_STATUS[errorType];
}

/** An error that the HTTP layer turns into Kite's error envelope. */
export class KiteApiError extends Error {
  readonly errorType: KiteErrorType;
  readonly httpStatus: number;

  constructor(errorType: KiteErrorType, message: string, httpStatus?: number) {
    super(message);
    this.name = 'KiteApiError';
    this.errorType = errorType;
    this.httpStatus = httpStatus ?? httpStatusFor(errorType);
  }
}

export const inputError = (message: string): KiteApiError => new KiteApiError('InputException', message);
export const orderError = (message: string): KiteApiError => new KiteApiError('OrderException', message);

/** Kite's error envelope. */
export function errorBody(errorType: KiteErrorType, message: string): object {
  return { status: 'error', message, data: null, error_type: errorType };
}

export function sendError(res: Response, err: KiteApiError): void {
  res.status(err.httpStatus).json(errorBody(err.errorType, err.message));
}

export function sendData(res: Response, data: unknown): void {
  res.status(200).json({ status: 'success', data });
}
