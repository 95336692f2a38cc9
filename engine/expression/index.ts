/** The one expression language of Sluice: `exec_if` conditions and the bodies of `${…}` templates. */
export { METHODS, pathsRead, plainPath, type ExpressionNode, type PathRead } from './ast.js';
export { findClosingBrace } from './lexer.js';
export { MAX_DEPTH, MAX_SOURCE_LENGTH, parseExpression } from './parser.js';
export { member } from './evaluate.js';
export { compileChecked, firstBadRead, compileExpression, readProblem } from './compile.js';
