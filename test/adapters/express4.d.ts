// Express 4 is installed under the alias `express4` (next to Express 5); its API as used by the
// tests is the same, so it borrows Express's types.
declare module 'express4' {
  import express from 'express'
  export default express
}
