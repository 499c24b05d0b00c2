import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { EnvSchema } from '../../src/config/env';
import { paperEnvSchema } from '../../src/paper/main';
import { projectRoot } from '../../src/infra/binaries';

/**
 * Docker is not available where the tests run, so the deployment files are checked for what they claim: the
 * topology, the schema jobs, the image's shape, and that each OMS process is configured with variables it knows.
 */
interface Service {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  entrypoint?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string; required?: boolean }>;
  healthcheck?: { test: string[] };
  profiles?: string[];
}

const root = projectRoot();
const compose = parse(fs.readFileSync(path.join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as { services: Record<string, Service> };
const services = compose.services;
const dockerfile = fs.readFileSync(path.join(root, 'Dockerfile'), 'utf8');
const omsServices = ['oms-api', 'oms-worker', 'oms-migrate'];

describe('docker-compose.yml', () => {
  it('runs Postgres, a Temporal server with its schema jobs, the UI, the API, the workers and an optional paper broker', () => {
    expect(Object.keys(services).sort()).toEqual(
      ['oms-api', 'oms-migrate', 'oms-worker', 'paper', 'postgres', 'temporal', 'temporal-db', 'temporal-namespace', 'temporal-schema', 'temporal-ui'].sort(),
    );
    expect(services.paper.profiles).toEqual(['paper']);
    expect(services.temporal.image).toMatch(/^temporalio\/server:/);
    expect(services['temporal-ui'].image).toMatch(/^temporalio\/ui:/);
  });

  it('uses no deprecated auto-setup image', () => {
    for (const s of Object.values(services)) expect(s.image ?? '').not.toMatch(/auto-setup/);
  });

  it('sets up both Temporal databases with temporal-sql-tool before the server starts, and creates the namespace', () => {
    const schema = services['temporal-schema'];
    expect(schema.image).toMatch(/^temporalio\/admin-tools:/);
    const script = (schema.command ?? []).join('\n');
    for (const step of ['create', 'setup-schema -v 0.0', 'update-schema -d /etc/temporal/schema/postgresql/v12/']) expect(script).toContain(`temporal-sql-tool --db $$db ${step}`);
    expect(script).toMatch(/for db in temporal temporal_visibility/);
    expect(services.temporal.depends_on?.['temporal-schema']?.condition).toBe('service_completed_successfully');
    expect((services['temporal-namespace'].command ?? []).join('\n')).toContain('temporal operator namespace create');
  });

  it('builds every OMS service from the Dockerfile and gives the API --api-only and the workers --worker-only', () => {
    for (const name of [...omsServices, 'paper']) expect(services[name].build).toEqual({ context: '.', dockerfile: 'Dockerfile' });
    expect(services['oms-api'].command).toEqual(['--api-only']);
    expect(services['oms-worker'].command).toEqual(['--worker-only']);
    expect(services['oms-worker'].environment?.METRICS_PORT).toBeDefined();
    expect(services.paper.entrypoint).toEqual(['node', 'dist/src/paper/main.js']);
  });

  it('starts the API and the workers only after the database is migrated and the namespace exists', () => {
    for (const name of ['oms-api', 'oms-worker']) {
      const deps = services[name].depends_on ?? {};
      expect(deps['oms-migrate']?.condition).toBe('service_completed_successfully');
      expect(deps['temporal-namespace']?.condition).toBe('service_completed_successfully');
      expect(deps.postgres?.condition).toBe('service_healthy');
      expect(services[name].healthcheck?.test.join(' ')).toMatch(/\/health/);
    }
  });

  it('names in every depends_on only services that exist', () => {
    for (const s of Object.values(services)) for (const dep of Object.keys(s.depends_on ?? {})) expect(Object.keys(services)).toContain(dep);
  });

  it('configures the OMS and the paper broker only with variables their schemas know', () => {
    const omsKnown = Object.keys(EnvSchema.shape);
    for (const name of omsServices) for (const key of Object.keys(services[name].environment ?? {})) expect({ service: name, key, known: omsKnown.includes(key) }).toEqual({ service: name, key, known: true });
    const paperKnown = Object.keys(paperEnvSchema.shape);
    for (const key of Object.keys(services.paper.environment ?? {})) expect({ key, known: paperKnown.includes(key) }).toEqual({ key, known: true });
  });
});

describe('Dockerfile', () => {
  const stages = dockerfile.split(/^FROM /m).slice(1);
  const final = stages[stages.length - 1];

  it('builds in a stage with dev dependencies and runs from a stage with production dependencies only', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(stages[0]).toMatch(/npm ci --ignore-scripts/);
    expect(final).toMatch(/npm ci --omit=dev/);
    expect(final).toMatch(/COPY --from=build \/app\/dist\/src/);
    expect(final).toMatch(/COPY prisma /);
  });

  it('runs as a non-root user in production mode, starts the OMS entry point and checks /health', () => {
    const user = /^USER\s+(\S+)/m.exec(final)?.[1];
    expect(user).toBeDefined();
    expect(['root', '0']).not.toContain(user);
    expect(final).toMatch(/NODE_ENV=production/);
    expect(final).toMatch(/^ENTRYPOINT \["node", "dist\/src\/main\.js"\]/m);
    expect(final).toMatch(/^HEALTHCHECK [\s\S]*\/health/m);
  });
});
