// Run tools/lite_precompile.py inside Pyodide (Node.js), on files of the host's disk:
//     node tools/lite_precompile.mjs PYODIDE_DIR WHEEL...
//         adds bytecode to each WHEEL, rewritten in place;
//     node tools/lite_precompile.mjs PYODIDE_DIR --prebuilt-wheel OUT NAME VERSION PACKAGE... -- WHEEL...
//         installs Pyodide's PACKAGEs (from PYODIDE_DIR, as its pyodide-lock.json lists
//         them) and the WHEELs, imports what the course uses, and writes OUT: the
//         bytecode of the modules it compiled, and matplotlib's font list.
// PYODIDE_DIR holds the runtime (pyodide.mjs, pyodide.asm.wasm, python_stdlib.zip).
// tools/build_lite.py runs both.
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const [pyodideDir, ...rest] = process.argv.slice(2);
const prebuiltWheel = rest[0] === "--prebuilt-wheel";
const separator = rest.indexOf("--");
const packages = prebuiltWheel ? rest.slice(4, separator) : [];
const wheels = prebuiltWheel ? rest.slice(separator + 1) : rest;
const hostFiles = prebuiltWheel ? [rest[1], ...wheels] : wheels;
const { loadPyodide } = await import(pathToFileURL(resolve(pyodideDir, "pyodide.mjs")).href);
const pyodide = await loadPyodide({ indexURL: resolve(pyodideDir) + "/" });
// The files' folders, seen from inside Pyodide under /host/<n>.
const folders = [...new Set(hostFiles.map((file) => dirname(resolve(file))))];
const inside = (file) => {
  const index = folders.indexOf(dirname(resolve(file)));
  return `/host/${index}/${resolve(file).slice(folders[index].length + 1)}`;
};
folders.forEach((folder, index) => {
  pyodide.FS.mkdirTree(`/host/${index}`);
  pyodide.FS.mount(pyodide.FS.filesystems.NODEFS, { root: folder }, `/host/${index}`);
});
let argv = wheels.map(inside);
if (prebuiltWheel) {
  await pyodide.loadPackage(["micropip", ...packages], { messageCallback: () => {} });
  pyodide.globals.set("wheels", pyodide.toPy(argv));
  await pyodide.runPythonAsync(
    "import micropip\nfor wheel in wheels:\n    await micropip.install('emfs:' + wheel, deps=False)");
  argv = ["--prebuilt-wheel", inside(rest[1]), rest[2], rest[3]];
}
const script = readFileSync(resolve(dirname(fileURLToPath(import.meta.url)), "lite_precompile.py"), "utf8");
pyodide.globals.set("argv", pyodide.toPy(argv));
pyodide.runPython("import sys; sys.argv = ['lite_precompile.py', *argv]");
pyodide.runPython(script);
