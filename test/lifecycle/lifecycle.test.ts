/**
 * Every write path of both dialects (tus 1.0 PATCH and creation-with-upload, the IETF draft's
 * append and creation at each interop version) through one list of scenarios: the same
 * answers, offsets, stored bytes, finish hook, events and lock release for all of them.
 */
import { describe, test } from 'node:test'
import { ROWS } from './dialects.js'
import { startProbe } from './probe.js'
import { SCENARIOS } from './scenarios.js'

// Each test has its own server and temp folder, so they may run side by side.
describe('write lifecycle, every dialect', { concurrency: 4 }, () => {
  for (const row of ROWS) {
    for (const scenario of SCENARIOS) {
      if (scenario.applies && !scenario.applies(row)) continue
      test(`${row.name}: ${scenario.title}`, async () => {
        const probe = await startProbe(scenario.probe)
        try {
          await scenario.run(row, probe)
        } finally {
          await probe.close()
        }
      })
    }
  }
})
