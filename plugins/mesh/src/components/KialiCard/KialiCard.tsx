import { CodeSnippet, InfoCard, Link } from '@backstage/core-components';
import {
  Box,
  List,
  ListItem,
  ListItemText,
  Typography,
} from '@material-ui/core';
import type {
  ClusterMeshStatusOk,
  KialiLinks,
} from '@mesh-portal/backstage-plugin-mesh-common';
import { MeshStatusBoundary } from '../../hooks';
import { ClusterSections, MeshCardBody } from '../shared';

/** The config snippet that turns Kiali links on for a cluster. */
export function kialiConfigSnippet(cluster: string): string {
  return `mesh:\n  clusters:\n    ${cluster}:\n      kialiUrl: https://kiali.example.com/kiali`;
}

const LinkItem = (props: {
  to: string;
  primary: string;
  secondary?: string;
}) => (
  <ListItem disableGutters dense>
    <ListItemText
      primary={
        <Link to={props.to} target="_blank" rel="noopener noreferrer">
          {props.primary}
        </Link>
      }
      secondary={props.secondary}
    />
  </ListItem>
);

const Links = ({ links }: { links: KialiLinks }) => (
  <List dense disablePadding aria-label="Kiali links">
    <LinkItem
      to={links.graph}
      primary="Traffic graph"
      secondary="Versioned app graph of the namespace"
    />
    {links.app && (
      <LinkItem
        to={links.app}
        primary="Application"
        secondary="Health, traffic, metrics and traces"
      />
    )}
    {links.workloads.map(w => (
      <LinkItem
        key={`w-${w.name}`}
        to={w.url}
        primary={`Workload ${w.name}`}
        secondary="Logs, Envoy config, metrics"
      />
    ))}
    {links.services.map(s => (
      <LinkItem key={`s-${s.name}`} to={s.url} primary={`Service ${s.name}`} />
    ))}
    {links.config.map(c => (
      <LinkItem
        key={`c-${c.kind}-${c.name}`}
        to={c.url}
        primary={`${c.kind} ${c.name}`}
        secondary="Istio config with Kiali validation"
      />
    ))}
  </List>
);

const ClusterKiali = ({ cluster }: { cluster: ClusterMeshStatusOk }) => {
  if (!cluster.kiali) {
    return (
      <Box>
        <Typography variant="body2" paragraph>
          Kiali is not configured for cluster {cluster.cluster}. To get deep
          links, set the Kiali URL of the cluster under <code>mesh</code> in
          app-config.yaml:
        </Typography>
        <CodeSnippet
          text={kialiConfigSnippet(cluster.cluster)}
          language="yaml"
        />
      </Box>
    );
  }
  return <Links links={cluster.kiali} />;
};

/**
 * Deep links into Kiali (graph, app, workloads, services, Istio config).
 *
 * @public
 */
export const KialiCard = () => (
  <MeshStatusBoundary>
    <InfoCard title="Kiali">
      <MeshCardBody>
        {status => (
          <ClusterSections
            clusters={status.clusters}
            render={cluster => <ClusterKiali cluster={cluster} />}
          />
        )}
      </MeshCardBody>
    </InfoCard>
  </MeshStatusBoundary>
);
