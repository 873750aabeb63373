// Applies the plugins' install guides to a new app (scripts/install-test): the README blocks
// marked "<!-- install-test: NAME [PATH] -->" are read and applied as the guide says, so the
// test follows the text an adopter reads.
// usage: node scripts/install-test-apply.mjs APP_DIR TARBALL_DIR REPO_DIR
import fs from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'yaml';

const [appDir, tarballDir, repoDir] = process.argv.slice(2);

/** The fenced code block after each `<!-- install-test: NAME [ARG] -->` of a README. */
function guideBlocks(plugin) {
  const readme = fs.readFileSync(
    path.join(repoDir, 'plugins', plugin, 'README.md'),
    'utf8',
  );
  const blocks = {};
  const marker =
    /<!-- install-test: (\S+)(?: (\S+))? -->\s*\n\s*```\w*\n([\s\S]*?)\n\s*```/g;
  for (const [, name, arg, body] of readme.matchAll(marker)) {
    // The blocks sit in a numbered list: drop the list indentation.
    const indent = Math.min(
      ...body
        .split('\n')
        .filter(l => l.trim())
        .map(l => l.match(/^ */)[0].length),
    );
    blocks[name] = {
      arg,
      text: body
        .split('\n')
        .map(l => l.slice(indent))
        .join('\n'),
    };
  }
  return blocks;
}

function need(blocks, name, plugin) {
  if (!blocks[name])
    throw new Error(
      `plugins/${plugin}/README.md has no install-test block ${name}`,
    );
  return blocks[name];
}

const readJson = file => JSON.parse(fs.readFileSync(file, 'utf8'));
const writeJson = (file, json) =>
  fs.writeFileSync(file, `${JSON.stringify(json, null, 2)}\n`);

// --- Our yarn.lock's version of each package (the newest when several are locked).
const lockVersions = new Map();
{
  const lock = fs.readFileSync(path.join(repoDir, 'yarn.lock'), 'utf8');
  for (const [, name, version] of lock.matchAll(
    /^ {2}resolution: "((?:@[^/@"]+\/)?[^@"]+)@npm:([^"]+)"$/gm,
  )) {
    const prev = lockVersions.get(name);
    const newer = (a, b) => a.localeCompare(b, 'en', { numeric: true }) > 0;
    if (!prev || newer(version, prev)) lockVersions.set(name, version);
  }
}

// --- Packages: the tarballs (resolutions stand in for the registry until they are published).
const tarballs = {};
for (const file of fs.readdirSync(tarballDir)) {
  const plugin = file.replace(/\.tgz$/, '');
  const pkg = readJson(path.join(repoDir, 'plugins', plugin, 'package.json'));
  tarballs[pkg.name] = {
    file: path.join(tarballDir, file),
    version: pkg.version,
  };
}
const root = readJson(path.join(appDir, 'package.json'));
root.resolutions = {
  ...root.resolutions,
  ...Object.fromEntries(
    Object.entries(tarballs).map(([name, t]) => [name, `file:${t.file}`]),
  ),
};
// Native builds nothing here runs (swagger's tree-sitter parsers, the CLI's keychain, ssh2's
// optional CPU probe): minutes of CI time saved, the app unchanged otherwise.
root.dependenciesMeta = {
  ...root.dependenciesMeta,
  ...Object.fromEntries(
    [
      'tree-sitter',
      'tree-sitter-json',
      '@tree-sitter-grammars/tree-sitter-yaml',
      'keytar',
      'cpu-features',
      'ssh2',
    ].map(name => [name, { built: false }]),
  ),
};
writeJson(path.join(appDir, 'package.json'), root);

// --- The app on our release line, as `backstage-cli versions:bump` would put it.
const bumped = [];
function bump(deps) {
  for (const name of Object.keys(deps ?? {})) {
    const ours = lockVersions.get(name);
    if (name.startsWith('@backstage/') && ours && deps[name] !== `^${ours}`) {
      bumped.push(`${name} ${deps[name]} -> ^${ours}`);
      deps[name] = `^${ours}`;
    }
  }
}
bump(root.devDependencies);
writeJson(path.join(appDir, 'package.json'), root);

// "yarn --cwd packages/<x> add <package>" of the guides.
function addDependencies(workspace, names) {
  const file = path.join(appDir, 'packages', workspace, 'package.json');
  const pkg = readJson(file);
  bump(pkg.dependencies);
  bump(pkg.devDependencies);
  for (const name of names)
    pkg.dependencies[name] = `^${tarballs[name].version}`;
  pkg.dependencies = Object.fromEntries(
    Object.entries(pkg.dependencies).sort(([a], [b]) => a.localeCompare(b)),
  );
  writeJson(file, pkg);
}
addDependencies('app', ['@mesh-portal/backstage-plugin-mesh']);
addDependencies('backend', [
  '@mesh-portal/backstage-plugin-mesh-backend',
  '@mesh-portal/backstage-plugin-mesh-common',
  '@mesh-portal/backstage-plugin-scaffolder-backend-module-mesh',
]);
console.log(
  `[install-test] app moved to our release line:\n  ${bumped.join('\n  ')}`,
);

// Resolve from our lockfile where the ranges allow it (same versions, already in the cache).
fs.copyFileSync(
  path.join(repoDir, 'yarn.lock'),
  path.join(appDir, 'yarn.lock'),
);

// --- Backend: the guide's backend.add lines, the permission policy module instead of allow-all.
const backendGuide = guideBlocks('mesh-backend');
const scaffolderGuide = guideBlocks('scaffolder-backend-module-mesh');
const indexFile = path.join(appDir, 'packages/backend/src/index.ts');
let index = fs.readFileSync(indexFile, 'utf8');
const allowAll =
  /backend\.add\(\s*import\('@backstage\/plugin-permission-backend-module-allow-all-policy'\),?\s*\);\n/;
if (!allowAll.test(index))
  throw new Error('the new backend has no allow-all policy line to replace');
index = index.replace(
  allowAll,
  `${need(backendGuide, 'policy-add', 'mesh-backend').text}\n`,
);
const adds = [
  need(backendGuide, 'backend-add', 'mesh-backend'),
  need(scaffolderGuide, 'backend-add', 'scaffolder-backend-module-mesh'),
];
if (!index.includes('backend.start();'))
  throw new Error('no backend.start() in the new backend');
index = index.replace(
  'backend.start();',
  `${adds.map(b => b.text).join('\n')}\n\nbackend.start();`,
);
fs.writeFileSync(indexFile, index);
const policy = need(backendGuide, 'policy-file', 'mesh-backend');
fs.writeFileSync(path.join(appDir, policy.arg), `${policy.text}\n`);

// --- app-config.yaml: the guide's block merged in (the new app already has a `kubernetes:` key).
const configFile = path.join(appDir, 'app-config.yaml');
const config = parseDocument(fs.readFileSync(configFile, 'utf8'));
const guideConfig = parseDocument(
  need(backendGuide, 'app-config', 'mesh-backend').text,
);
for (const item of guideConfig.contents.items) config.set(item.key, item.value);
fs.writeFileSync(configFile, config.toString());

// --- Frontend: the new app discovers plugins (app.packages: all); the guide says so.
const frontendGuide = guideBlocks('mesh');
need(frontendGuide, 'app-add', 'mesh');
const appConfig = config.toJS();
if (appConfig.app?.packages !== 'all')
  throw new Error('the new app does not discover packages (app.packages)');
console.log(
  '[install-test] guide applied: backend index.ts, permission policy, app-config.yaml, app and backend dependencies',
);
