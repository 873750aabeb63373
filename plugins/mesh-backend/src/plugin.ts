import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { actionsRegistryServiceRef } from '@backstage/backend-plugin-api/alpha';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import {
  MESH_FIELD_MANAGER,
  meshPermissions,
} from '@mesh-portal/backstage-plugin-mesh-common';
import { registerMeshActions } from './actions/meshActions';
import { ApplyClaims } from './applyClaims/ApplyClaims';
import { AuditStore } from './audit/AuditStore';
import { CanaryRunner } from './canaryRuns/CanaryRunner';
import { readCanaryRunsConfig } from './canaryRuns/canaryRunsConfig';
import { CanaryRunStore } from './canaryRuns/CanaryRunStore';
import { ClusterGateway } from './cluster/ClusterGateway';
import { readClusterConfigs } from './cluster/clusterConfig';
import { readAccessPolicyConfig } from './metrics/accessPolicyConfig';
import { readCanaryHealthConfig } from './metrics/canaryHealthConfig';
import { MetricsGateway } from './metrics/MetricsGateway';
import { createRouter } from './router';
import { AccessService } from './services/AccessService';
import { AuthorizedMeshService } from './services/AuthorizedMeshService';
import { CanaryHealthService } from './services/CanaryHealthService';
import { MeshService } from './services/MeshService';
import { WatchCache } from './cluster/WatchCache';
import { kubeWatchSource } from './cluster/kubeWatchSource';

/**
 * The mesh backend plugin: Istio status, plans and safe apply for catalog entities.
 *
 * @public
 */
export const meshPlugin = createBackendPlugin({
  pluginId: 'mesh',
  register(env) {
    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        database: coreServices.database,
        httpAuth: coreServices.httpAuth,
        httpRouter: coreServices.httpRouter,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        auth: coreServices.auth,
        scheduler: coreServices.scheduler,
        lifecycle: coreServices.lifecycle,
        catalog: catalogServiceRef,
        actionsRegistry: actionsRegistryServiceRef,
      },
      async init({
        config,
        logger,
        database,
        httpAuth,
        httpRouter,
        permissions,
        permissionsRegistry,
        auth,
        scheduler,
        lifecycle,
        catalog,
        actionsRegistry,
      }) {
        permissionsRegistry.addPermissions(meshPermissions);
        const gateway = new ClusterGateway(
          readClusterConfigs(config),
          config.getOptionalString('mesh.fieldManager') ?? MESH_FIELD_MANAGER,
          logger,
          config.getOptionalNumber('mesh.requestTimeoutMs') ?? 10_000,
        );
        const audit = await AuditStore.create(database);
        const statusCache =
          config.getOptionalBoolean('mesh.statusCache.enabled') ?? true
            ? new WatchCache(gateway, cluster => kubeWatchSource(cluster, gateway.kubeConfig(cluster)), logger, {
                resync: { periodMs: (config.getOptionalNumber('mesh.statusCache.resyncSeconds') ?? 600) * 1000 },
              })
            : undefined;
        if (statusCache) lifecycle.addShutdownHook(() => statusCache.stop());
        const mesh = new MeshService({
          catalog,
          gateway,
          statusReader: statusCache,
          audit,
          claims: await ApplyClaims.create(database),
          logger,
          propagationDelayMs:
            config.getOptionalNumber('mesh.propagationDelayMs') ?? 3000,
        });
        const healthConfig = readCanaryHealthConfig(config);
        const metrics = new MetricsGateway(
          healthConfig.prometheus,
          healthConfig.timeoutMs,
        );
        const canaryHealth = new CanaryHealthService({
          catalog,
          mesh,
          metrics,
          config: healthConfig,
          logger,
        });
        const canaryRuns = new CanaryRunner({
          store: await CanaryRunStore.create(database),
          mesh,
          health: canaryHealth,
          auth,
          logger,
          config: readCanaryRunsConfig(config),
          thresholds: healthConfig.thresholds,
        });
        await canaryRuns.schedule(scheduler);
        const access = new AccessService({
          mesh,
          metrics,
          config: readAccessPolicyConfig(config),
          logger,
        });
        httpRouter.use(
          await createRouter({
            httpAuth,
            permissions,
            mesh,
            canaryHealth,
            canaryRuns,
            access,
          }),
        );
        registerMeshActions({
          actionsRegistry,
          auth,
          mesh: new AuthorizedMeshService({ permissions, mesh }),
        });
      },
    });
  },
});
