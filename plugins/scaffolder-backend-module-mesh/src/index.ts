/***/
/**
 * The mesh backend module for the scaffolder plugin.
 *
 * @packageDocumentation
 */

export { scaffolderModuleMesh as default } from './module';
