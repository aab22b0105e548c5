// The suite facts the pipeline side may see — id, version, digest, count, capabilities, what it
// judges — and never a scenario body. One place computes them for the lock, the registry and the
// scenario worker.
import type { ScenarioSuite } from './schemas/suite';

/** The suite manifest (SPEC §1 step 2): bound into the run envelope at boot. */
export interface SuiteManifest {
  id: string;
  version: string;
  digest: string;
  count: number;
  capabilities: string[];
  pipeline_id: string;
  pipeline_major: number;
}

/** The manifest of a loaded suite whose file has sha256 `digest`. */
export function suiteManifestOf(suite: ScenarioSuite, digest: string): SuiteManifest {
  return {
    id: suite.id,
    version: suite.version,
    digest,
    count: suite.scenarios.length,
    capabilities: [...suite.capabilities],
    pipeline_id: suite.pipeline_id,
    pipeline_major: suite.pipeline_major,
  };
}
