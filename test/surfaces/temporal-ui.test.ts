// Approval from Temporal UI in a real browser (issue 5, item 1): headless Debian chromium driven by
// playwright-core finds the run by the FactoryStatus search attribute in the embedded server's Web UI
// (2.54.x), sends the `approve` signal with `{"by":"ui-tester"}` through "Send a Signal", and the run
// proceeds past the gate to completion. Same steps as docs/operators.md.
import type { Page } from 'playwright-core';
import type { RunEvent } from '../../core/run-model';
import { statusQuery } from '../../workflows/messages';
import { allEvents, eventually, useRunEnv, workspace } from '../helpers/runs';
import { testTemporalEnv } from '../helpers/temporal';
import { artifactPath, awaitGate, gatedPipeline, uiUrl, useChromium } from './helpers';

const env = useRunEnv();
const browser = useChromium();

/** Opens the workflow list filtered by `query`, waits (reloading, for visibility lag) until `workflowId` is listed, opens it. */
async function findInList(page: Page, query: string, workflowId: string): Promise<void> {
  const url = `${uiUrl()}/namespaces/${testTemporalEnv().namespace}/workflows?query=${encodeURIComponent(query)}`;
  const link = page.getByRole('link', { name: workflowId, exact: true });
  await eventually(async () => {
    await page.goto(url);
    return link.waitFor({ timeout: 3_000 }).then(
      () => true,
      () => false,
    );
  }, 40_000, 500);
  await page.screenshot({ path: artifactPath('temporal-ui-list.png') });
  await link.click();
}

describe('approval from Temporal UI', () => {
  it('proceeds past the gate and completes when approved with "Send a Signal" in the Web UI', async () => {
    const ws = workspace(gatedPipeline('ui-gated'));
    const handle = await env.start(ws);
    await awaitGate(handle, 'review');
    const page = await browser().newPage({ viewport: { width: 1400, height: 1000 } });
    page.setDefaultTimeout(20_000);
    try {
      // 1. the list, filtered by our search attribute; 2. the run's page
      await findInList(page, 'FactoryStatus="awaiting_human"', handle.workflowId);
      await page.waitForURL(new RegExp(`/workflows/${handle.workflowId}/`));
      await page.getByRole('heading', { name: handle.workflowId }).waitFor();

      // 3. More Actions → Send a Signal → signal name `approve`, data {"by":"ui-tester"} → Submit
      await page.getByRole('button', { name: 'More Actions' }).click();
      await page.getByRole('menuitem', { name: 'Send a Signal' }).click();
      const dialog = page.getByRole('dialog', { name: 'Send a Signal' });
      await dialog.getByRole('button', { name: 'Select a signal' }).click();
      await dialog.getByRole('option', { name: 'approve', exact: true }).click();
      await dialog.getByRole('textbox', { name: 'Data' }).fill('{"by":"ui-tester"}');
      await dialog.getByRole('button', { name: 'Submit' }).click();
      await page.getByText('Workflow signaled.').first().waitFor();
      await dialog.waitFor({ state: 'hidden' });

      // the run went on: asserted through the status query and the run's result
      const result = await handle.result();
      expect(result.outcome).toBe('succeeded');
      expect(await handle.query(statusQuery)).toMatchObject({ status: 'completed', currentNode: 'exit', openGates: [] });
      const events = await allEvents(handle);
      const answered = events.find((e: RunEvent) => e.type === 'gate.answered');
      expect(answered?.data).toMatchObject({ gate: 'review', by: 'ui-tester', choice: 'ship', via: 'signal' });
      // the Web UI (no auth configured) sends its signals with no client identity: recorded as such (issue 20, docs/security.md)
      const who = events.find((e: RunEvent) => e.type === 'gate.answer_identified');
      expect(who?.data).toMatchObject({ gate: 'review', by: 'ui-tester', via: 'signal', identity: 'unknown', identityReason: expect.stringContaining('the client sent none') });
      const stages = events.filter((e) => e.type === 'stage.completed').map((e) => e.data['node']);
      expect(stages).toEqual(['start', 'review', 'ship']);
      expect(result.context['tool.output']).toContain('shipped');

      // the workflow page now shows the completed run: keep it as the artifact
      await page.reload();
      await page.getByRole('heading', { name: handle.workflowId }).waitFor();
      await page.getByText(/^completed$/i).first().waitFor();
      await page.screenshot({ path: artifactPath('temporal-ui-workflow.png'), fullPage: false });
    } catch (err) {
      await page.screenshot({ path: artifactPath('temporal-ui-failure.png') }).catch(() => undefined);
      throw err;
    } finally {
      await page.close();
    }
  }, 150_000);
});
