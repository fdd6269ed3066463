// df rules, sorted by code.
import type { AnyRule } from '../../lint/rule.js';
import workdirAbsolute from './workdir-absolute.js';
import noCdInRun from './no-cd-in-run.js';
import noSudo from './no-sudo.js';
import copyNotAdd from './copy-not-add.js';
import copyMultipleSourcesDir from './copy-multiple-sources-dir.js';
import copyFromStage from './copy-from-stage.js';
import uniqueStageNames from './unique-stage-names.js';
import exposeFormat from './expose-format.js';
import singleStartInstruction from './single-start-instruction.js';
import noMaintainer from './no-maintainer.js';
import aptGetNotApt from './apt-get-not-apt.js';
import envSameInstructionRef from './env-same-instruction-ref.js';
import copyRelativeDestWorkdir from './copy-relative-dest-workdir.js';
import useraddLogInit from './useradd-log-init.js';
import fromFirst from './from-first.js';
import undefinedVar from './undefined-var.js';
import fromArgDefined from './from-arg-defined.js';
import stageNameCasing from './stage-name-casing.js';
import reservedStageName from './reserved-stage-name.js';
import keyValueFormat from './key-value-format.js';
import emptyContinuation from './empty-continuation.js';
import parseError from './parse-error.js';
import suppressionComment from './suppression-comment.js';
import instructionCasing from './instruction-casing.js';
import platformFlag from './platform-flag.js';
import projectFileError from './project-file-error.js';

export const rules: AnyRule[] = [
  workdirAbsolute, noCdInRun, noSudo, copyNotAdd, copyMultipleSourcesDir, copyFromStage, uniqueStageNames, exposeFormat,
  singleStartInstruction, noMaintainer, aptGetNotApt, envSameInstructionRef, copyRelativeDestWorkdir, useraddLogInit,
  fromFirst, undefinedVar, fromArgDefined, stageNameCasing, reservedStageName, keyValueFormat, emptyContinuation,
  parseError, suppressionComment, instructionCasing, platformFlag, projectFileError,
];
