import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { TrafficSplitCard } from './TrafficSplitCard';
import { parseInterval, parseSteps } from './GuidedCanary';
import { CANARY_RUNS_POLL_MS } from './useCanaryRuns';
import { renderWithMesh } from '../../__testUtils__/renderWithMesh';
import { canaryRun, FakeMeshApi } from '../../__testUtils__/fixtures';
import { MeshApiError } from '../../api';
import { PERMISSION_DENIED_REASON } from '../../hooks';

const stepsTable = () =>
  screen.findByRole('table', { name: 'Steps of the guided canary of backend' });

async function replace(label: string, value: string) {
  const input = screen.getByLabelText(label);
  await userEvent.clear(input);
  await userEvent.type(input, value);
}

describe('TrafficSplitCard: field labels at 1280–1440 px', () => {
  it.each(['Weight for v2', 'Steps (% to v2)', 'Seconds per step'])(
    'keeps the label "%s" on one line, its field as wide as its box',
    async label => {
      await renderWithMesh(<TrafficSplitCard />);
      await screen.findByLabelText(label);
      // The label itself (the outline's notch repeats its text in a legend).
      const text = screen.getByText(label, { selector: 'label' });
      expect(text).toHaveStyle({
        whiteSpace: 'nowrap',
        textOverflow: 'ellipsis',
      });
      expect(text.closest('.MuiFormControl-root')).toHaveClass(
        'MuiFormControl-fullWidth',
      );
    },
  );
});

describe('TrafficSplitCard: guided canary', () => {
  it('starts a run with the default steps and interval, then shows it', async () => {
    const { api } = await renderWithMesh(<TrafficSplitCard />);
    expect(await screen.findByLabelText('Steps (% to v2)')).toHaveValue(
      '10, 25, 50, 100',
    );
    expect(screen.getByLabelText('Seconds per step')).toHaveValue(60);
    await userEvent.click(
      screen.getByRole('button', { name: 'Start guided canary' }),
    );
    expect(api.runRequests).toEqual([
      {
        kind: 'start',
        request: {
          service: 'backend',
          virtualService: 'backend',
          stable: 'v1',
          canary: 'v2',
          cluster: 'local',
          steps: [10, 25, 50, 100],
          intervalSeconds: 60,
        },
      },
    ]);
    expect(
      await screen.findByText('Running: v2 at 10 %, v1 at 90 %'),
    ).toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: 'Start guided canary' }),
    ).not.toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Pause' })).toBeEnabled();
  });

  it('sends the steps and interval the user typed', async () => {
    const { api } = await renderWithMesh(<TrafficSplitCard />);
    await screen.findByLabelText('Steps (% to v2)');
    await replace('Steps (% to v2)', '5 20 100');
    await replace('Seconds per step', '120');
    await userEvent.click(
      screen.getByRole('button', { name: 'Start guided canary' }),
    );
    expect(api.runRequests[0]).toMatchObject({
      request: { steps: [5, 20, 100], intervalSeconds: 120 },
    });
  });

  it('says what is wrong with the steps or interval and does not start', async () => {
    const { api } = await renderWithMesh(<TrafficSplitCard />);
    await screen.findByLabelText('Steps (% to v2)');
    await replace('Steps (% to v2)', '10, 50, 25, 100');
    expect(screen.getByRole('alert')).toHaveTextContent(
      'Step 25 must be greater than 50.',
    );
    expect(
      screen.getByRole('button', { name: 'Start guided canary' }),
    ).toBeDisabled();
    await replace('Steps (% to v2)', '10, 50');
    expect(screen.getByRole('alert')).toHaveTextContent(
      'The last step must be 100 (the promotion).',
    );
    await replace('Steps (% to v2)', '10, 100');
    await replace('Seconds per step', '5');
    expect(screen.getByRole('alert')).toHaveTextContent(
      'The interval must be whole seconds from 10 to 3600.',
    );
    expect(
      screen.getByRole('button', { name: 'Start guided canary' }),
    ).toBeDisabled();
    expect(api.runRequests).toEqual([]);
  });

  it("shows the backend's refusal, e.g. a canary controller owning the split", async () => {
    const api = new FakeMeshApi();
    api.runError = new MeshApiError(
      'VirtualService backend is driven by Flagger (owner Canary/backend (flagger.app)): run the canary with Flagger, not from the portal',
      409,
      'ConflictError',
    );
    await renderWithMesh(<TrafficSplitCard />, { api });
    await userEvent.click(
      await screen.findByRole('button', { name: 'Start guided canary' }),
    );
    expect(await screen.findByText(/is driven by Flagger/)).toBeInTheDocument();
  });

  it('shows the running run with its steps: time, weight, success, p99, decision, reason', async () => {
    const api = new FakeMeshApi();
    api.runs = {
      items: [
        canaryRun({
          weight: 25,
          history: [
            {
              at: '2026-01-02T10:00:00Z',
              weight: 10,
              decision: 'start',
              actor: 'user:default/alice',
            },
            {
              at: '2026-01-02T10:01:00Z',
              weight: 25,
              decision: 'advance',
              reason:
                'v2 healthy for 60 s at 10 % (success 99.9 %, p99 42 ms): 25 %',
              successRate: 99.9,
              p99Ms: 42.4,
              requests: 120,
            },
          ],
        }),
      ],
    };
    await renderWithMesh(<TrafficSplitCard />, { api });
    const table = await stepsTable();
    const rows = within(table).getAllByRole('row');
    expect(rows.map(r => r.textContent)).toEqual([
      'TimeWeightSuccessp99DecisionReason',
      `${new Date(
        '2026-01-02T10:00:00Z',
      ).toLocaleTimeString()}10 %——startby alice`,
      `${new Date(
        '2026-01-02T10:01:00Z',
      ).toLocaleTimeString()}25 %99.9 %42 msadvancev2 healthy for 60 s at 10 % (success 99.9 %, p99 42 ms): 25 %`,
    ]);
    expect(
      screen.getByText('Running: v2 at 25 %, v1 at 75 %'),
    ).toBeInTheDocument();
    expect(
      screen.getByText(
        /Started by alice .* steps 10 → 25 → 50 → 100 % · 60 s healthy at each/,
      ),
    ).toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: 'Start guided canary' }),
    ).not.toBeInTheDocument();
  });

  it('pauses, resumes and aborts the run; the outcome stays on screen', async () => {
    const api = new FakeMeshApi();
    api.runs = { items: [canaryRun()] };
    await renderWithMesh(<TrafficSplitCard />, { api });
    await userEvent.click(await screen.findByRole('button', { name: 'Pause' }));
    expect(
      await screen.findByText('Paused: v2 at 10 %, v1 at 90 %'),
    ).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Resume' }));
    expect(
      await screen.findByText('Running: v2 at 10 %, v1 at 90 %'),
    ).toBeInTheDocument();
    await userEvent.click(
      screen.getByRole('button', { name: 'Abort and roll back' }),
    );
    expect(
      await screen.findByText(
        'Aborted: aborted by user:default/guest; v1 at 100 %',
      ),
    ).toBeInTheDocument();
    expect(api.runRequests).toEqual([
      { kind: 'pause', runId: 'run-1' },
      { kind: 'resume', runId: 'run-1' },
      { kind: 'abort', runId: 'run-1' },
    ]);
    // Over: no more buttons for it, and a new run can be started.
    expect(
      screen.queryByRole('button', { name: 'Abort and roll back' }),
    ).not.toBeInTheDocument();
    expect(
      screen.getByRole('button', { name: 'Start guided canary' }),
    ).toBeInTheDocument();
  });

  it('keeps the manual editor from applying while a run steps the split', async () => {
    const api = new FakeMeshApi();
    api.runs = { items: [canaryRun({ state: 'paused' })] };
    await renderWithMesh(<TrafficSplitCard />, { api });
    expect(
      await screen.findByText(
        'A guided canary run is paused on this split: abort it before setting weights by hand.',
      ),
    ).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Apply' })).toBeDisabled();
    expect(screen.getByRole('button', { name: 'Preview' })).toBeEnabled();
  });

  it("shows a rolled-back run's reason", async () => {
    const api = new FakeMeshApi();
    api.runs = {
      items: [
        canaryRun({
          state: 'rolled-back',
          weight: 0,
          outcome: 'v2 failing at 25 %: success 95.2 % < 99 %; v1 at 100 %',
          finishedAt: '2026-01-02T10:02:00Z',
        }),
      ],
    };
    await renderWithMesh(<TrafficSplitCard />, { api });
    expect(
      await screen.findByText(
        'Rolled back: v2 failing at 25 %: success 95.2 % < 99 %; v1 at 100 %',
      ),
    ).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Apply' })).toBeEnabled();
  });

  it('offers no start form without mesh.entity.apply, and disables the run buttons with the reason', async () => {
    const api = new FakeMeshApi();
    const { unmount } = await renderWithMesh(<TrafficSplitCard />, {
      api,
      allowed: false,
    });
    expect(await screen.findByText('Guided canary')).toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: 'Start guided canary' }),
    ).not.toBeInTheDocument();
    unmount();

    const running = new FakeMeshApi();
    running.runs = { items: [canaryRun()] };
    await renderWithMesh(<TrafficSplitCard />, {
      api: running,
      allowed: false,
    });
    await waitFor(() =>
      expect(screen.getByRole('button', { name: 'Pause' })).toBeDisabled(),
    );
    expect(
      screen.getByRole('button', { name: 'Abort and roll back' }),
    ).toBeDisabled();
    expect(
      screen.getAllByText(PERMISSION_DENIED_REASON).length,
    ).toBeGreaterThan(0);
  });

  it('re-reads the runs while one is running, and the status when the run moved the split', async () => {
    jest.useFakeTimers({ advanceTimers: true });
    try {
      const api = new FakeMeshApi();
      api.runs = { items: [canaryRun()] };
      const getRuns = jest.spyOn(api, 'getCanaryRuns');
      const getStatus = jest.spyOn(api, 'getStatus');
      await renderWithMesh(<TrafficSplitCard />, { api });
      await screen.findByText('Running: v2 at 10 %, v1 at 90 %');
      const runReads = getRuns.mock.calls.length;
      const statusReads = getStatus.mock.calls.length;
      api.runs = { items: [canaryRun({ weight: 25 })] };
      await act(async () => {
        jest.advanceTimersByTime(CANARY_RUNS_POLL_MS);
      });
      expect(
        await screen.findByText('Running: v2 at 25 %, v1 at 75 %'),
      ).toBeInTheDocument();
      expect(getRuns.mock.calls.length).toBeGreaterThan(runReads);
      await waitFor(() =>
        expect(getStatus.mock.calls.length).toBeGreaterThan(statusReads),
      );
    } finally {
      jest.useRealTimers();
    }
  });
});

describe('parseSteps / parseInterval', () => {
  it('reads whole, increasing percentages ending at 100', () => {
    expect(parseSteps(' 10, 25 50,100 ')).toEqual({ steps: [10, 25, 50, 100] });
    expect(parseSteps('')).toEqual({ error: 'Name at least one step.' });
    expect(parseSteps('10, 12.5, 100')).toEqual({
      error: 'Step 12.5 is not a whole percentage from 1 to 100.',
    });
    expect(parseSteps('0, 100')).toEqual({
      error: 'Step 0 is not a whole percentage from 1 to 100.',
    });
  });

  it('reads whole seconds from 10 to 3600', () => {
    expect(parseInterval('60')).toEqual({ seconds: 60 });
    expect(parseInterval('3601').error).toBeDefined();
    expect(parseInterval('').error).toBeDefined();
  });
});
