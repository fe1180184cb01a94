// Vite's `?raw` suffix imports a file's text as a string at build time.
declare module '*?raw' {
  const text: string;
  export default text;
}
