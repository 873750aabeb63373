import {
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  canaryRunStartRequestSchema,
  durationSeconds,
  isPromqlDuration,
  meshActionRequestSchema,
  meshEntityApplyPermission,
  meshEntityReadPermission,
} from '@mesh-portal/backstage-plugin-mesh-common';
import { InputError } from '@backstage/errors';
import express from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import { CanaryRunner } from './canaryRuns/CanaryRunner';
import { asHttpError } from './cluster/ClusterFailedError';
import { meshEntityRef, parseRequest as parse } from './requests';
import { AccessService } from './services/AccessService';
import { AuthorizedMeshService } from './services/AuthorizedMeshService';
import { CanaryHealthService } from './services/CanaryHealthService';
import { MeshService } from './services/MeshService';

/** `?range=15m` on health: per-version series over that range (a chart), 1 minute to 1 day. */
const healthQuery = z.strictObject({
  range: z
    .string()
    .refine(
      range =>
        isPromqlDuration(range) &&
        durationSeconds(range) >= 60 &&
        durationSeconds(range) <= 86_400,
      'must be a PromQL duration from 1m to 1d (e.g. 15m)',
    )
    .optional(),
});

/** Path parameters of a run's action route, after the entity's. */
const runParams = z.object({
  id: z.uuid('must be a run id'),
  action: z.enum(['pause', 'resume', 'abort']),
});

/**
 * Query of apply. `force=true`: take over fields any other manager owns (needs
 * mesh.entity.force). `takeOver=true`: the user confirmed taking over the fields a person
 * applied with kubectl that the plan showed (mesh.entity.apply is enough).
 */
const applyQuery = z.strictObject({
  force: z.enum(['true', 'false']).optional(),
  takeOver: z.enum(['true', 'false']).optional(),
});

/** Largest request body accepted; a mesh action is a few hundred bytes. */
const BODY_LIMIT = '16kb';

export interface RouterOptions {
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  mesh: MeshService;
  /** Canary health beside the split; the route answers 404 without it. */
  canaryHealth?: CanaryHealthService;
  /** Guided canary runs; the routes answer 404 without it. */
  canaryRuns?: CanaryRunner;
  /** Who may call the entity's Services; the route answers 404 without it. */
  access?: AccessService;
}

/** The mesh plugin's HTTP API: parse, authorize, call the service, respond. */
export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const { httpAuth, permissions, mesh, canaryHealth, canaryRuns, access } =
    options;
  const router = Router();
  router.use(express.json({ limit: BODY_LIMIT }));
  // body-parser's own errors name no field: say that it is the body, keeping their status.
  router.use(
    (
      error: { type?: string; message?: string },
      _req: express.Request,
      _res: express.Response,
      next: express.NextFunction,
    ) => {
      if (error.type === 'entity.parse.failed') {
        next(new InputError(`body: not valid JSON (${error.message})`));
        return;
      }
      next(error);
    },
  );

  const authorized = new AuthorizedMeshService({ permissions, mesh });
  const authorize = authorized.require.bind(authorized);
  const entityRefOf = (req: express.Request) =>
    meshEntityRef({
      namespace: req.params.namespace,
      kind: req.params.kind,
      name: req.params.name,
    });
  const actionOf = (req: express.Request) =>
    parse(meshActionRequestSchema, req.body);

  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });

  router.get('/entities/:namespace/:kind/:name/status', async (req, res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    res.json(await authorized.status(entityRefOf(req), credentials));
  });

  router.post('/entities/:namespace/:kind/:name/plans', async (req, res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const entityRef = entityRefOf(req);
    const action = actionOf(req);
    res.json(await authorized.plan(entityRef, action, credentials));
  });

  router.post('/entities/:namespace/:kind/:name/apply', async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    const entityRef = entityRefOf(req);
    const query = parse(applyQuery, req.query);
    const action = actionOf(req);
    res.json(
      await authorized.apply(entityRef, action, credentials, {
        force: query.force === 'true',
        takeOver: query.takeOver === 'true',
      }),
    );
  });

  router.get('/entities/:namespace/:kind/:name/history', async (req, res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const entityRef = entityRefOf(req);
    await authorize(credentials, meshEntityReadPermission, entityRef);
    res.json({ items: await mesh.history(entityRef) });
  });

  if (canaryHealth) {
    // Apart from the status so that a slow Prometheus never delays it.
    router.get('/entities/:namespace/:kind/:name/health', async (req, res) => {
      const credentials = await httpAuth.credentials(req, {
        allow: ['user', 'service'],
      });
      const entityRef = entityRefOf(req);
      const { range } = parse(healthQuery, req.query);
      await authorize(credentials, meshEntityReadPermission, entityRef);
      res.json(
        range
          ? await canaryHealth.series(entityRef, credentials, range)
          : await canaryHealth.health(entityRef, credentials),
      );
    });
  }

  if (canaryRuns) {
    router.post(
      '/entities/:namespace/:kind/:name/canary-runs',
      async (req, res) => {
        const credentials = await httpAuth.credentials(req, {
          allow: ['user'],
        });
        const entityRef = entityRefOf(req);
        const request = parse(canaryRunStartRequestSchema, req.body);
        await authorize(credentials, meshEntityApplyPermission, entityRef);
        res
          .status(201)
          .json(
            await canaryRuns.start(
              entityRef,
              request,
              credentials,
              credentials.principal.userEntityRef,
            ),
          );
      },
    );

    router.get(
      '/entities/:namespace/:kind/:name/canary-runs',
      async (req, res) => {
        const credentials = await httpAuth.credentials(req, {
          allow: ['user', 'service'],
        });
        const entityRef = entityRefOf(req);
        await authorize(credentials, meshEntityReadPermission, entityRef);
        res.json({ items: await canaryRuns.list(entityRef) });
      },
    );

    router.post(
      '/entities/:namespace/:kind/:name/canary-runs/:id/:action',
      async (req, res) => {
        const credentials = await httpAuth.credentials(req, {
          allow: ['user'],
        });
        const entityRef = entityRefOf(req);
        const { id, action } = parse(runParams, {
          id: req.params.id,
          action: req.params.action,
        });
        await authorize(credentials, meshEntityApplyPermission, entityRef);
        const actor = credentials.principal.userEntityRef;
        res.json(
          action === 'abort'
            ? await canaryRuns.abort(entityRef, id, credentials, actor)
            : await canaryRuns[action](entityRef, id, actor),
        );
      },
    );
  }

  if (access) {
    // Apart from the status: it asks the catalog for the callers and Prometheus for denials.
    router.get('/entities/:namespace/:kind/:name/access', async (req, res) => {
      const credentials = await httpAuth.credentials(req, {
        allow: ['user', 'service'],
      });
      const entityRef = entityRefOf(req);
      await authorize(credentials, meshEntityReadPermission, entityRef);
      res.json(await access.access(entityRef, credentials));
    });
  }

  router.get('/overview', async (req, res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    // The catalog filters by catalog.entity.read; a policy may allow reading an entity and
    // still deny its mesh data, so each entity also needs mesh.entity.read (one batch, before
    // any status is read; the framework applies a conditional decision to each resourceRef).
    const rows = await mesh.overview(credentials, async refs => {
      const decisions = refs.length
        ? await permissions.authorize(
            refs.map(resourceRef => ({
              permission: meshEntityReadPermission,
              resourceRef,
            })),
            { credentials },
          )
        : [];
      return new Set(
        refs.filter((_, i) => decisions[i]?.result === AuthorizeResult.ALLOW),
      );
    });
    res.json({ rows });
  });

  // A cluster's failure is a 502 or 504 naming the cluster, never the apiserver's own status.
  router.use(
    (
      error: unknown,
      _req: express.Request,
      _res: express.Response,
      next: express.NextFunction,
    ) => next(asHttpError(error)),
  );

  return router;
}
