// The gateway's internals that tests in other packages reach (the fuzzer drives every control operation).
// Production code imports the package root only; the import-rule check keeps it so.
export { controlOperations } from './control/index.ts';
