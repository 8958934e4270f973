// `npm run lint`. typescript-eslint's recommended set is the non-type-checked
// one on purpose: it needs no TypeScript program, so lint stays fast, and
// `npm run typecheck` already runs the compiler.
import js from "@eslint/js";
import { defineConfig } from "eslint/config";
import globals from "globals";
import tseslint from "typescript-eslint";
import layers from "./eslint-rules/layers.js";

export default defineConfig([
  {
    ignores: [
      "build/",
      "public/build/",
      "node_modules/",
      "test-results/",
      "tests/.tmp/",
      "db/migrations/",
      "data/",
    ],
  },
  {
    files: ["**/*.{ts,tsx,js}"],
    extends: [js.configs.recommended, tseslint.configs.recommended],
    languageOptions: {
      // app/ runs on both sides of the Remix boundary; the rest is Node.
      globals: { ...globals.node, ...globals.browser },
    },
    rules: {
      // A leading underscore marks a parameter or binding kept for its
      // position (Remix/Express signatures, tuple destructuring).
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_" },
      ],
      // U+3000 (ideographic space) is real content in Chinese documents, e.g.
      // the blanks of the official notice; strings are already skipped.
      "no-irregular-whitespace": ["error", { skipTemplates: true, skipJSXText: true }],
    },
  },
  {
    files: ["**/*.{ts,tsx,js}"],
    // Tests may import anything: they drive every layer from the outside.
    ignores: ["tests/**"],
    plugins: { layers },
    rules: { "layers/imports-point-down": "error" },
  },
  {
    files: ["app/**/*.tsx"],
    ignores: ["app/components/form.tsx"],
    rules: {
      // Every state-changing form carries the CSRF token: app/components/form.tsx adds it.
      "no-restricted-imports": ["error", { paths: [{ name: "@remix-run/react", importNames: ["Form"], message: "Import Form from ~/components/form: it adds the CSRF token." }] }],
    },
  },
]);
