import { CodeSnippet, WarningPanel } from '@backstage/core-components';
import {
  Box,
  Checkbox,
  Chip,
  FormControlLabel,
  LinearProgress,
  List,
  ListItem,
  ListItemText,
  Tab,
  Tabs,
  Typography,
} from '@material-ui/core';
import { useState } from 'react';
import type {
  FieldOwnershipConflict,
  Finding,
  MeshApplyResult,
  MeshPlan,
  PlannedObject,
} from '@mesh-portal/backstage-plugin-mesh-common';
import type { MeshActionState, TakeOverConfirmation } from '../../hooks';
import { SeverityStatus } from './SeverityStatus';

const objectLabel = (o: { kind: string; name: string; namespace?: string }) =>
  `${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${o.name}`;

/** One planned object with its YAML and its diff against the live object. */
const PlannedObjectView = ({ object }: { object: PlannedObject }) => {
  const [tab, setTab] = useState(object.diff ? 1 : 0);
  return (
    <Box mb={2}>
      <Box display="flex" alignItems="center" mb={0.5}>
        <Typography variant="subtitle2" component="h4">
          {objectLabel(object)}
        </Typography>
        <Box ml={1}>
          <Chip size="small" label={object.operation} />
        </Box>
        {object.live === null && (
          <Box ml={1}>
            <Chip size="small" color="primary" label="new" />
          </Box>
        )}
      </Box>
      <Tabs
        value={tab}
        onChange={(_, value) => setTab(value)}
        indicatorColor="primary"
        aria-label={`View of ${objectLabel(object)}`}
      >
        <Tab label="YAML" />
        <Tab label="Diff" />
      </Tabs>
      {tab === 0 ? (
        <CodeSnippet text={object.yaml} language="yaml" showCopyCodeButton />
      ) : (
        <CodeSnippet
          text={object.diff || 'No diff: the live object already matches.'}
          language="diff"
        />
      )}
    </Box>
  );
};

/**
 * Findings as a compact list: severity, message, what to do. The messages are sentences: they
 * wrap (the Backstage theme keeps list items on one line, which cut them at the card's edge).
 */
const WRAPPING_TEXT = {
  whiteSpace: 'normal',
  overflowWrap: 'break-word',
} as const;

export const FindingsList = ({ findings }: { findings: Finding[] }) => (
  <List dense disablePadding>
    {findings.map((f, i) => (
      <ListItem key={`${f.code}-${i}`} disableGutters alignItems="flex-start">
        <ListItemText
          style={WRAPPING_TEXT}
          primary={
            <>
              <SeverityStatus severity={f.severity} /> {f.code}: {f.message}
            </>
          }
          secondary={`Fix: ${f.hint}`}
        />
      </ListItem>
    ))}
  </List>
);

/** The blocking findings of a plan, as the reason apply is refused. */
export const BlockedPanel = ({ plan }: { plan: MeshPlan }) => {
  const blocking = plan.findings.filter(f => f.blocking);
  // WarningPanel puts the message in a <p>: one block-looking <span> per finding.
  return (
    <WarningPanel
      severity="error"
      title="Blocked — applying this plan would break traffic"
      message={
        <>
          {blocking.map((f, i) => (
            <Typography
              key={i}
              variant="body2"
              component="span"
              display="block"
              gutterBottom
            >
              {f.message} — {f.hint}
            </Typography>
          ))}
        </>
      }
      defaultExpanded
    />
  );
};

const conflictLabel = (c: FieldOwnershipConflict) =>
  `${objectLabel(c.resource)}: ${c.fields.join(', ') || 'fields'}`;

const ownerLabel = (c: FieldOwnershipConflict) =>
  c.owner.kind === 'unknown'
    ? `field manager "${c.manager}"`
    : `${c.owner.tool} (field manager "${c.manager}")`;

/**
 * Fields a controller owns: the plan is blocked, and the YAML to commit to the controller's
 * source instead.
 */
const CommitInstead = ({
  conflicts,
}: {
  conflicts: FieldOwnershipConflict[];
}) => (
  <Box mb={2} role="region" aria-label="Commit instead">
    <Typography variant="subtitle2" component="h4">
      Commit instead
    </Typography>
    {conflicts.map(c => (
      <Box key={`${objectLabel(c.resource)}/${c.manager}`} mb={1}>
        <Typography variant="body2" gutterBottom>
          {conflictLabel(c)} belong to {ownerLabel(c)}, which applies them
          again. Commit this YAML to its source:
        </Typography>
        {c.yaml && (
          <CodeSnippet text={c.yaml} language="yaml" showCopyCodeButton />
        )}
      </Box>
    ))}
  </Box>
);

/**
 * Fields a person applied with kubectl that apply takes over: who and which, and the
 * confirmation Apply waits for.
 */
export const TakeOverPanel = (props: {
  conflicts: FieldOwnershipConflict[];
  takeOver?: TakeOverConfirmation;
}) => (
  <Box mb={2} role="region" aria-label="Take-over">
    <Typography variant="subtitle2" component="h4">
      Take over fields applied with kubectl
    </Typography>
    <List dense disablePadding>
      {props.conflicts.map(c => (
        <ListItem
          key={`${objectLabel(c.resource)}/${c.manager}`}
          disableGutters
        >
          <ListItemText
            primary={conflictLabel(c)}
            secondary={`applied by a person with kubectl (field manager "${c.manager}")`}
          />
        </ListItem>
      ))}
    </List>
    {props.takeOver && (
      <FormControlLabel
        control={
          <Checkbox
            color="primary"
            checked={props.takeOver.confirmed}
            onChange={e => props.takeOver?.confirm(e.target.checked)}
          />
        }
        label="Take these fields over: the portal owns them from now on (recorded in the history)"
      />
    )}
  </Box>
);

/**
 * A plan as returned by `POST …/plans`: summary, findings, field take-overs (with the
 * confirmation `takeOver`, when given), objects in apply order.
 */
export const PlanView = ({
  plan,
  takeOver,
}: {
  plan: MeshPlan;
  takeOver?: TakeOverConfirmation;
}) => {
  const other = plan.findings.filter(f => !f.blocking);
  const conflicts = plan.fieldConflicts ?? [];
  const commits = conflicts.filter(c => c.resolution === 'commit');
  const takeOvers = conflicts.filter(c => c.resolution === 'take-over');
  return (
    <Box aria-label="Plan" role="region">
      <Typography variant="body1" paragraph>
        {plan.summary}
      </Typography>
      {plan.blocked && (
        <Box mb={2}>
          <BlockedPanel plan={plan} />
        </Box>
      )}
      {commits.length > 0 && <CommitInstead conflicts={commits} />}
      {!plan.blocked && takeOvers.length > 0 && (
        <TakeOverPanel conflicts={takeOvers} takeOver={takeOver} />
      )}
      {other.length > 0 && (
        <Box mb={2}>
          <Typography variant="subtitle2" component="h4">
            Findings
          </Typography>
          <FindingsList findings={other} />
        </Box>
      )}
      {plan.objects.length === 0 ? (
        <Typography variant="body2">
          Nothing to change: the cluster already matches.
        </Typography>
      ) : (
        <>
          <Typography variant="subtitle2" component="h4" gutterBottom>
            {plan.objects.length} object{plan.objects.length === 1 ? '' : 's'}{' '}
            in cluster {plan.cluster}, in apply order
          </Typography>
          {plan.objects.map(o => (
            <PlannedObjectView
              key={`${o.kind}/${o.namespace}/${o.name}/${o.operation}`}
              object={o}
            />
          ))}
        </>
      )}
    </Box>
  );
};

/** What apply did, object by object. */
export const ApplyResultView = ({ result }: { result: MeshApplyResult }) => (
  <Box role="status" mb={2}>
    <Typography variant="subtitle2" component="h4">
      Applied ({result.applied.length} object
      {result.applied.length === 1 ? '' : 's'}, audit id {result.auditId})
    </Typography>
    <List dense disablePadding>
      {result.applied.map(a => (
        <ListItem key={`${a.kind}/${a.namespace}/${a.name}`} disableGutters>
          <ListItemText primary={`${objectLabel(a)}: ${a.result}`} />
        </ListItem>
      ))}
    </List>
  </Box>
);

/** An error from the backend (message shown as the backend wrote it). */
export const ActionError = ({ error }: { error: Error }) => (
  <Box mb={2}>
    <WarningPanel
      severity="error"
      title="The mesh backend refused the request"
      message={error.message}
      defaultExpanded
    />
  </Box>
);

/**
 * The body of a plan dialog below its own fields: progress, the backend's refusal, what apply
 * did or the plan to apply, and why Apply is disabled (`applyReason`, hidden while the
 * permission is being checked and once applied).
 */
export const PlanOutcome = (props: {
  action: MeshActionState;
  applyReason?: string;
  permissionLoading: boolean;
}) => {
  const { action, applyReason, permissionLoading } = props;
  return (
    <>
      {action.busy && <LinearProgress />}
      {action.error && <ActionError error={action.error} />}
      {action.result && <ApplyResultView result={action.result} />}
      {!action.result && action.plan && (
        <PlanView plan={action.plan} takeOver={action.takeOver} />
      )}
      {applyReason && !permissionLoading && !action.result && (
        <Typography variant="body2" color="textSecondary">
          {applyReason}
        </Typography>
      )}
    </>
  );
};
