import { Router } from 'express';
import { openApiDocument } from './build-document';
import { DOCS_CSP, renderDocsPage } from './docs-page';

/** GET /api/v1/openapi.json (the contract) and GET /api/v1/docs (it as HTML): public, like the contract they describe. */
export function openApiRoutes(): Router {
  const r = Router();
  let page: string | undefined;
  r.get('/openapi.json', (_req, res) => {
    res.json(openApiDocument());
  });
  r.get('/docs', (_req, res) => {
    page ??= renderDocsPage(openApiDocument());
    res.setHeader('Content-Security-Policy', DOCS_CSP);
    res.type('html').send(page);
  });
  return r;
}
