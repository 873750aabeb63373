import {
  StatusError,
  StatusOK,
  StatusPending,
  StatusWarning,
} from '@backstage/core-components';
import type { FindingSeverity } from '@mesh-portal/backstage-plugin-mesh-common';

/** A finding's severity as a Backstage status dot plus the word. */
export const SeverityStatus = ({ severity }: { severity: FindingSeverity }) => {
  switch (severity) {
    case 'error':
      return <StatusError>Error</StatusError>;
    case 'warning':
      return <StatusWarning>Warning</StatusWarning>;
    default:
      return <StatusPending>Info</StatusPending>;
  }
};

/** A yes/no cell rendered as a status dot. */
export const YesNo = ({
  value,
  yes = 'Yes',
  no = 'No',
  warnOnNo,
}: {
  value: boolean;
  yes?: string;
  no?: string;
  warnOnNo?: boolean;
}) => {
  if (value) {
    return <StatusOK>{yes}</StatusOK>;
  }
  return warnOnNo ? <StatusWarning>{no}</StatusWarning> : <>{no}</>;
};
