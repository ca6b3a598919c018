/**
 * Started detached by every run: `node orphan-watchdog.js RUN_ID HARNESS_PID`. Once a second it checks the
 * harness; if the harness died without closing its run (SIGKILL, crash), the watchdog stops the run's brokers
 * and marks its partial results. It exits as soon as the run record is gone (the run closed normally).
 */
import { isAlive } from './pid.js';
import { closeOrphanedRun, runRecordExists } from './process-registry.js';

const [runId, harness] = process.argv.slice(2);
const harnessPid = Number(harness);
if (!runId || !(harnessPid > 0)) process.exit(2);

const timer = setInterval(() => {
  if (!runRecordExists(runId)) {
    clearInterval(timer);
    return;
  }
  if (!isAlive(harnessPid)) {
    clearInterval(timer);
    closeOrphanedRun(runId);
  }
}, 1000);
