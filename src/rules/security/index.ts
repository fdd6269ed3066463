// Security rules (SEC), sorted by code.
import type { AnyRule } from '../../lint/rule.js';
import noRootUser from './no-root-user.js';
import noPrivilegeDropAtStart from './no-privilege-drop-at-start.js';
import noPrivilegedPorts from './no-privileged-ports.js';
import updateSystemPackages from './update-system-packages.js';
import noBuildSecrets from './no-build-secrets.js';
import cloneWithSshMount from './clone-with-ssh-mount.js';
import noDisabledHostKeyChecking from './no-disabled-host-key-checking.js';
import noDisabledTlsVerification from './no-disabled-tls-verification.js';

export const rules: AnyRule[] = [noRootUser, noPrivilegeDropAtStart, noPrivilegedPorts, updateSystemPackages, noBuildSecrets, cloneWithSshMount, noDisabledHostKeyChecking, noDisabledTlsVerification];
