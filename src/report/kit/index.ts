/**
 * The report kit: what every command's reporters share, written once. A command describes its
 * findings; the kit escapes, colours and wraps them (XML, JUnit, Markdown, terminal, SARIF).
 * It knows no command: nothing here imports a check, a scan rule or a detector.
 */
export { type JunitCase, type JunitSuite, junitCounts, junitXml } from './junit.ts';
export {
  codeText,
  escapeMarkdown,
  type MarkdownCell,
  type MarkdownColumn,
  markdownTable,
} from './markdown.ts';
export {
  byFormat,
  joinPieces,
  type Rendered,
  type Renderer,
  type RenderOptions,
  type TextPieces,
} from './render.ts';
export {
  fileArtifact,
  fileUri,
  pascalCase,
  pathNotifications,
  relativeUri,
  repositoryUri,
  type SarifArtifact,
  type SarifLocation,
  type SarifNotification,
  type SarifRuleMeta,
  type SarifRun,
  SRCROOT,
  sarifLog,
  sarifResult,
  sarifRule,
} from './sarif.ts';
export { type Paint, painter, SEVERITY_STYLE, type Style, terminalText } from './terminal.ts';
export { xmlAttribute, xmlAttributes, xmlSafe, xmlText } from './xml.ts';
