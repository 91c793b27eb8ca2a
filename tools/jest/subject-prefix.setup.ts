import { configureSubjects } from '@parley/contracts/internal';

// A jest config that gives its run a subject prefix of its own (PARLEY_SUBJECT_PREFIX, e.g. the
// media and invitation suites) configures it here, as bootstrap does for an app from its config.
const prefix = process.env['PARLEY_SUBJECT_PREFIX'];
if (prefix) configureSubjects(prefix);
