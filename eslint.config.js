// ESLint flat config. The `no-restricted-imports` blocks enforce the process
// layering: core imports no other app folder, worker and renderer import only
// core, engine imports core, and main and cli import engine and core.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const appFolders = ['core', 'worker', 'engine', 'main', 'renderer', 'cli'];

function allowOnly(folder, allowed) {
  const forbidden = appFolders.filter((name) => name !== folder && !allowed.includes(name));
  return {
    files: [`app/${folder}/**/*.{ts,tsx}`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: forbidden.map((name) => ({
            group: [`**/${name}/*`, `**/${name}`, `../${name}/*`],
            message: `app/${folder} may import only ${[folder, ...allowed].join(', ')}; app/${name} is outside its layer.`,
          })),
        },
      ],
    },
  };
}

export default tseslint.config(
  { ignores: ['dist/**', '**/dist/**', 'out/**', 'node_modules/**', 'test-results/**', 'playwright-report/**', 'bench/results/**', 'native/build/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.js', '**/*.cjs', '**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', require: 'readonly', module: 'writable', __dirname: 'readonly' } },
  },
  allowOnly('core', []),
  allowOnly('worker', ['core']),
  allowOnly('renderer', ['core']),
  allowOnly('engine', ['core']),
  allowOnly('main', ['engine', 'core']),
  allowOnly('cli', ['engine', 'core']),
  {
    files: ['app/renderer/**/*.{ts,tsx}', 'app/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'zeromq', message: 'ZeroMQ sockets live only in workers and in the engine taps.' }],
          patterns: appFolders
            .filter((name) => name !== 'core')
            .map((name) => ({ group: [`**/${name}/*`, `../${name}/*`], message: `This folder may import only app/core; app/${name} is outside its layer.` })),
        },
      ],
    },
  },
);
