// The YAML editing toolkit the overlay edits are built from, one behaviour per file under yaml/.

export * from './yaml/bounded.js';
export * from './yaml/parse.js';
export * from './yaml/quote.js';
export * from './yaml/read.js';
export * from './yaml/scalar.js';
export * from './yaml/splice.js';
export * from './yaml/verify.js';
