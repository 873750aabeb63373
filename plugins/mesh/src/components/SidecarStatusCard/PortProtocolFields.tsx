import {
  Box,
  FormControl,
  FormLabel,
  TextField,
  Typography,
} from '@material-ui/core';
import {
  DECLARED_PORT_PROTOCOLS,
  type ClusterMeshStatusOk,
  type DeclaredPortProtocol,
  type PortProtocolAnswer,
} from '@mesh-portal/backstage-plugin-mesh-common';

/** A Service port whose protocol Istio cannot derive (no appProtocol, no known name prefix). */
export interface UndeclaredPort {
  service: string;
  port: number;
  name?: string;
}

/** The entity's Service ports the user has to answer for: Istio would only sniff them. */
export function undeclaredPorts(
  cluster: ClusterMeshStatusOk,
): UndeclaredPort[] {
  return cluster.services.flatMap(service =>
    service.ports
      .filter(port => port.protocol === 'unknown')
      .map(port => ({
        service: service.name,
        port: port.port,
        name: port.name,
      })),
  );
}

/** The select's value for "no answer": the port is left to Istio's protocol sniffing. */
const SNIFF = '';

/**
 * One select per port whose protocol Istio cannot derive: the answers go into the onboarding
 * request's `portProtocols`; an unanswered port stays as it is (never a silent `http`).
 */
export const PortProtocolFields = (props: {
  ports: UndeclaredPort[];
  answers: PortProtocolAnswer[];
  disabled: boolean;
  onChange(answers: PortProtocolAnswer[]): void;
}) => {
  const { ports, answers, disabled, onChange } = props;
  const answerOf = (p: UndeclaredPort) =>
    answers.find(a => a.service === p.service && a.port === p.port)?.protocol;
  const choose = (p: UndeclaredPort, value: string) => {
    const others = answers.filter(
      a => !(a.service === p.service && a.port === p.port),
    );
    onChange(
      value === SNIFF
        ? others
        : [
            ...others,
            {
              service: p.service,
              port: p.port,
              protocol: value as DeclaredPortProtocol,
            },
          ],
    );
  };
  return (
    <Box mt={1} mb={2}>
      <FormControl component="fieldset" disabled={disabled}>
        <FormLabel component="legend">Port protocols</FormLabel>
        <Typography variant="body2" color="textSecondary" gutterBottom>
          Istio cannot tell the protocol of these ports. Declare it (sets the
          port&apos;s appProtocol), or leave the port to Istio&apos;s protocol
          sniffing: routing, retries and HTTP metrics need a declared protocol.
        </Typography>
        <Box display="flex" flexWrap="wrap">
          {ports.map(p => (
            <Box key={`${p.service}/${p.port}`} mr={2} mb={1} width={240}>
              <TextField
                select
                fullWidth
                size="small"
                variant="outlined"
                id={`mesh-onboard-protocol-${p.service}-${p.port}`}
                label={`${p.service} port ${p.port}`}
                helperText={p.name ? `port name "${p.name}"` : 'unnamed port'}
                value={answerOf(p) ?? SNIFF}
                disabled={disabled}
                SelectProps={{ native: true }}
                InputLabelProps={{ shrink: true }}
                onChange={e => choose(p, e.target.value)}
              >
                <option value={SNIFF}>Leave to Istio (sniffing)</option>
                {DECLARED_PORT_PROTOCOLS.map(protocol => (
                  <option key={protocol} value={protocol}>
                    {protocol}
                  </option>
                ))}
              </TextField>
            </Box>
          ))}
        </Box>
      </FormControl>
    </Box>
  );
};
