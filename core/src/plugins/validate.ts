/**
 * Checks that a module's default export is a usable plugin, returning the problems in plain
 * words. The rules live in the SDK (`validatePlugin`) so the conformance suite plugins run
 * applies exactly the ones the host loads them by.
 */
export { validatePlugin as validatePluginShape } from '@weft/plugin-sdk';
