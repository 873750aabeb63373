import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { TrafficSplitCard } from './TrafficSplitCard';
import { resilienceRequest } from './ResilienceEditor';
import { renderWithMesh } from '../../__testUtils__/renderWithMesh';
import {
  FakeMeshApi,
  canaryPlan,
  okCluster,
  statusOf,
} from '../../__testUtils__/fixtures';

const empty = {
  timeout: '',
  attempts: '',
  perTryTimeout: '',
  retryOn: '',
  consecutive5xxErrors: '',
  baseEjectionTime: '',
  maxEjectionPercent: '',
  maxConnections: '',
  http1MaxPendingRequests: '',
};

describe('resilienceRequest', () => {
  it('sends what the form shows, removes emptied groups and keeps fields the form does not show', () => {
    const current = {
      timeout: '3s',
      retries: { attempts: 2 },
      outlierDetection: { consecutive5xxErrors: 5, interval: '10s' },
    };
    expect(
      resilienceRequest(
        'backend',
        'local',
        { ...empty, attempts: '3', retryOn: '5xx', consecutive5xxErrors: '7' },
        current,
      ),
    ).toEqual({
      action: 'resilience',
      service: 'backend',
      cluster: 'local',
      timeout: null,
      retries: { attempts: 3, retryOn: '5xx' },
      outlierDetection: { consecutive5xxErrors: 7, interval: '10s' },
    });
    // Nothing set and nothing typed: nothing to send
    expect(resilienceRequest('backend', 'local', empty, undefined)).toEqual({
      action: 'resilience',
      service: 'backend',
      cluster: 'local',
    });
  });
  it('passes a non-number through so the backend names the field', () => {
    expect(
      resilienceRequest('b', 'c', { ...empty, attempts: 'three' }, undefined)
        .retries,
    ).toEqual({ attempts: 'three' });
  });
});

describe('ResilienceEditor on the traffic split card', () => {
  it("shows what is in force, with Istio's default retries named, and previews and applies a change", async () => {
    const api = new FakeMeshApi();
    const cluster = okCluster();
    cluster.trafficSplits[0].resilience = { timeout: '2s' };
    api.status = statusOf(cluster);
    api.plans.resilience = {
      ...canaryPlan,
      action: 'resilience',
      summary: 'backend: retries 3 on 5xx.',
    };
    await renderWithMesh(<TrafficSplitCard />, { api });
    expect(
      await screen.findByText(
        /Resilience: timeout 2s · Istio's default retries \(2 on connect failures and 503\) · no outlier detection/,
      ),
    ).toBeInTheDocument();
    await userEvent.click(
      screen.getByRole('button', { name: 'Edit timeouts and retries' }),
    );
    expect(screen.getByLabelText('Timeout')).toHaveValue('2s');
    await userEvent.type(screen.getByLabelText('Retry attempts'), '3');
    await userEvent.type(screen.getByLabelText('Retry on'), '5xx');
    const previews = screen.getAllByRole('button', { name: 'Preview' });
    await userEvent.click(previews[previews.length - 1]);
    await waitFor(() =>
      expect(api.requests).toContainEqual({
        kind: 'plan',
        request: expect.objectContaining({
          action: 'resilience',
          timeout: '2s',
          retries: { attempts: 3, retryOn: '5xx' },
        }),
      }),
    );
    const applies = screen.getAllByRole('button', { name: 'Apply' });
    await userEvent.click(applies[applies.length - 1]);
    await waitFor(() =>
      expect(
        api.requests.filter(r => r.kind === 'apply').map(r => r.request.action),
      ).toEqual(['resilience']),
    );
  });
});
