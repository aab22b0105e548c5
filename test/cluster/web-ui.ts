// A gate answered the way an operator does it in the cluster's Web UI (ui-server, deploy/ui):
// the workflow list filtered by FactoryStatus, the run's page, More Actions → Send a Signal.
import type { Browser, Page } from 'playwright-core';
import type { ClusterEnv } from '../../infra/cluster';
import { eventually } from '../helpers/runs';
import { artifactPath } from '../surfaces/helpers';

async function openFromList(page: Page, env: ClusterEnv, workflowId: string): Promise<void> {
  const query = encodeURIComponent('FactoryStatus="awaiting_human"');
  const url = `${env.TEMPORAL_UI_URL}/namespaces/${env.TEMPORAL_NAMESPACE}/workflows?query=${query}`;
  const link = page.getByRole('link', { name: workflowId, exact: true });
  await eventually(async () => {
    await page.goto(url);
    return link.waitFor({ timeout: 5_000 }).then(
      () => true,
      () => false,
    );
  }, 60_000, 1_000);
  await page.screenshot({ path: artifactPath('cluster-ui-list.png') });
  await link.click();
  await page.waitForURL(new RegExp(`/workflows/${workflowId}/`));
  await page.getByRole('heading', { name: workflowId }).waitFor();
}

/** Sends `signal` with `payload` (JSON) to `workflowId` through the Web UI; screenshots go to test-results/. */
export async function answerInWebUi(browser: Browser, env: ClusterEnv, workflowId: string, signal: string, payload: unknown): Promise<void> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  page.setDefaultTimeout(30_000);
  try {
    await openFromList(page, env, workflowId);
    await page.getByRole('button', { name: 'More Actions' }).click();
    await page.getByRole('menuitem', { name: 'Send a Signal' }).click();
    const dialog = page.getByRole('dialog', { name: 'Send a Signal' });
    await dialog.getByRole('button', { name: 'Select a signal' }).click();
    await dialog.getByRole('option', { name: signal, exact: true }).click();
    // the Data field is a code editor (CodeMirror) in ui-server 2.42, a labelled textbox in later ones
    const data = dialog.getByRole('textbox', { name: 'Data' }).or(dialog.locator('.cm-content')).first();
    await data.fill(JSON.stringify(payload));
    // In 2.42 the first click only blurs the editor (it re-formats the JSON and swallows the click);
    // Enter on the focused Submit button sends the signal, as a keyboard user does it.
    const submit = dialog.getByRole('button', { name: 'Submit' });
    await submit.focus();
    await submit.press('Enter');
    await page.getByText('Workflow signaled.').first().waitFor();
    await page.screenshot({ path: artifactPath('cluster-ui-signaled.png') });
  } catch (err) {
    await page.screenshot({ path: artifactPath('cluster-ui-failure.png') }).catch(() => undefined);
    throw err;
  } finally {
    await page.close();
  }
}
