// Security rules (SEC), sorted by code.
import type { AnyRule } from '../../lint/rule.js';
import noRootUser from './no-root-user.js';
import noPrivilegeDropAtStart from './no-privilege-drop-at-start.js';
import noPrivilegedPorts from './no-privileged-ports.js';
import runWithoutCapabilities from './run-without-capabilities.js';
import updateSystemPackages from './update-system-packages.js';
import rebuildWeekly from './rebuild-weekly.js';
import dependencyUpdates from './dependency-updates.js';
import securityScanners from './security-scanners.js';
import noBuildSecrets from './no-build-secrets.js';
import cloneWithSshMount from './clone-with-ssh-mount.js';
import noDisabledHostKeyChecking from './no-disabled-host-key-checking.js';
import noDisabledTlsVerification from './no-disabled-tls-verification.js';

export const rules: AnyRule[] = [noRootUser, noPrivilegeDropAtStart, noPrivilegedPorts, runWithoutCapabilities, updateSystemPackages, rebuildWeekly, dependencyUpdates, securityScanners, noBuildSecrets, cloneWithSshMount, noDisabledHostKeyChecking, noDisabledTlsVerification];
