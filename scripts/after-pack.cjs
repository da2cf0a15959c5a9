// electron-builder afterPack hook: flips Electron fuses in the packaged binary, after
// electron-builder has embedded the asar integrity hash (macOS Info.plist / Windows resource) and
// before it signs, so the OS signature then protects the fuse wire from being flipped back.
// CommonJS because electron-builder require()s hooks.
const path = require('node:path');
const { flipFuses, FuseVersion, FuseV1Options } = require('@electron/fuses');

/** Where the Electron executable sits inside appOutDir for each platform. */
function electronBinaryPath(context) {
  const { appOutDir, electronPlatformName, packager } = context;
  const name = packager.appInfo.productFilename;
  switch (electronPlatformName) {
    case 'darwin':
    case 'mas':
      return path.join(appOutDir, `${name}.app`, 'Contents', 'MacOS', name);
    case 'win32':
      return path.join(appOutDir, `${name}.exe`);
    case 'linux':
      // Linux executables are named after `executableName` (lower-case product name by default).
      return path.join(appOutDir, packager.executableName ?? name);
    default:
      throw new Error(`after-pack: unknown platform ${electronPlatformName}`);
  }
}

exports.default = async function afterPack(context) {
  const binary = electronBinaryPath(context);
  const isMac = context.electronPlatformName === 'darwin' || context.electronPlatformName === 'mas';
  await flipFuses(binary, {
    version: FuseVersion.V1,
    // Apple Silicon refuses to run a binary whose ad-hoc signature no longer matches; re-sign it
    // ad hoc here (electron-builder signs properly afterwards when an identity is configured).
    resetAdHocDarwinSignature: isMac && context.arch === require('electron-builder').Arch.arm64,
    // ELECTRON_RUN_AS_NODE would turn the signed app into a general-purpose Node interpreter.
    [FuseV1Options.RunAsNode]: false,
    [FuseV1Options.EnableCookieEncryption]: true,
    // NODE_OPTIONS / --inspect would let anyone inject code into the main process (which holds keys).
    [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
    [FuseV1Options.EnableNodeCliInspectArguments]: false,
    // Refuse a tampered app.asar (macOS and Windows; electron-builder embeds the hash) and refuse
    // to load an app from anywhere but that asar.
    [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
    [FuseV1Options.OnlyLoadAppFromAsar]: true,
    // We serve the UI from app://, never file://, so file: gets no extra privileges.
    [FuseV1Options.GrantFileProtocolExtraPrivileges]: false,
  });
  console.log(`  • fuses flipped  binary=${path.relative(process.cwd(), binary)}`);
};

// Exposed for a quick check of the path logic without packaging.
exports.electronBinaryPath = electronBinaryPath;
