// The Temporal UI tells the story (issue 23): headless Debian chromium opens the page of a run parked at
// a gate in the embedded server's Web UI and finds the run's static summary, and in its current details
// the gate's prompt, its choices and the signal JSON to send. Same page as docs/operators.md describes.
import type { Page } from 'playwright-core';
import { runSummary } from '../../core/run-details';
import { eventually, useRunEnv, workspace } from '../helpers/runs';
import { testTemporalEnv } from '../helpers/temporal';
import { artifactPath, awaitGate, gatedPipeline, uiUrl, useChromium } from './helpers';

const env = useRunEnv();
const browser = useChromium();

/** Waits until `text` is visible in the page or one of its frames. */
async function shownIn(page: Page, text: string): Promise<void> {
  await eventually(async () => {
    for (const frame of page.frames()) {
      const n = await frame.getByText(text, { exact: false }).count().catch(() => 0);
      if (n > 0) return true;
    }
    return false;
  }, 30_000, 250).catch(() => {
    throw new Error(`the run's page does not show ${JSON.stringify(text)}`);
  });
}

describe('a run parked at a gate in the Temporal UI', () => {
  it("shows the summary, and the gate's prompt, choices and signal JSON as current details", async () => {
    const ws = workspace(gatedPipeline('ui-story'));
    const summary = runSummary('ui-story', '1.0.0', 'ship the widget');
    const handle = await env.start(ws, {}, undefined, { staticSummary: summary });
    await awaitGate(handle, 'review');
    // what the UI reads: the SDK's metadata query carries the current details the workflow set
    const meta = (await handle.query('__temporal_workflow_metadata')) as { currentDetails?: string };
    expect(meta.currentDetails).toContain('Waiting at gate `review`');
    expect(meta.currentDetails).toContain('{"gate":"review","choice":"ship","by":"you"}');

    const page = await browser().newPage({ viewport: { width: 1400, height: 1400 } });
    page.setDefaultTimeout(30_000);
    try {
      await page.goto(`${uiUrl()}/namespaces/${testTemporalEnv().namespace}/workflows/${handle.workflowId}`);
      await page.getByRole('heading', { name: handle.workflowId }).waitFor();
      // the timeline names the timer of the gate's deadline and each activity's purpose
      await page.getByText('deadline of gate review').first().waitFor();
      await page.getByText(/createRun.*boot: profile, specs, preflight, run directory/).first().waitFor();
      // the run's summary and current details live under "User Metadata"
      await page.getByRole('link', { name: 'User Metadata' }).or(page.getByRole('tab', { name: 'User Metadata' })).first().click();
      // the UI renders summary and details as markdown inside sandboxed frames: look in every frame
      for (const text of [summary, 'Ship it?', '[A] Approve → ship', '[R] Revise → revise', '{"gate":"review","choice":"ship","by":"you"}']) {
        await shownIn(page, text);
      }
      await page.screenshot({ path: artifactPath('temporal-ui-gate.png'), fullPage: true });
    } catch (err) {
      await page.screenshot({ path: artifactPath('temporal-ui-gate-failure.png'), fullPage: true }).catch(() => undefined);
      throw err;
    } finally {
      await page.close();
      await handle.terminate('test over').catch(() => undefined);
    }
  }, 150_000);
});
