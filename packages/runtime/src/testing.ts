// Runtime internals that tests in other packages reach (the security fuzzer drives every control
// operation without HTTP). Production code imports the package root (index.ts) only.
export { controlOperations } from './control/index.ts';
