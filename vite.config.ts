// Builds the renderer (app/renderer) into dist/renderer. Relative asset paths
// let the same build load from Electron's app:// origin and from the web host.
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const rendererRoot = fileURLToPath(new URL('./app/renderer', import.meta.url));
const outputDirectory = fileURLToPath(new URL('./dist/renderer', import.meta.url));

export default defineConfig({
  root: rendererRoot,
  base: './',
  plugins: [react()],
  build: {
    outDir: outputDirectory,
    emptyOutDir: true,
    sourcemap: true,
    target: 'chrome130',
  },
});
