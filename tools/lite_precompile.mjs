// Run tools/lite_precompile.py inside Pyodide (Node.js), on wheels of the host's disk:
//     node tools/lite_precompile.mjs PYODIDE_DIR WHEEL...
// PYODIDE_DIR holds the runtime (pyodide.mjs, pyodide.asm.wasm, python_stdlib.zip);
// the wheels are rewritten in place. tools/build_lite.py runs this.
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const [pyodideDir, ...wheels] = process.argv.slice(2);
const { loadPyodide } = await import(pathToFileURL(resolve(pyodideDir, "pyodide.mjs")).href);
const pyodide = await loadPyodide({ indexURL: resolve(pyodideDir) + "/" });
// The wheels' folders, seen from inside Pyodide under /host/<n>.
const folders = [...new Set(wheels.map((wheel) => dirname(resolve(wheel))))];
const inside = wheels.map((wheel) => {
  const index = folders.indexOf(dirname(resolve(wheel)));
  return `/host/${index}/${resolve(wheel).slice(folders[index].length + 1)}`;
});
folders.forEach((folder, index) => {
  pyodide.FS.mkdirTree(`/host/${index}`);
  pyodide.FS.mount(pyodide.FS.filesystems.NODEFS, { root: folder }, `/host/${index}`);
});
const script = readFileSync(resolve(dirname(fileURLToPath(import.meta.url)), "lite_precompile.py"), "utf8");
pyodide.globals.set("wheels", pyodide.toPy(inside));
pyodide.runPython("import sys; sys.argv = ['lite_precompile.py', *wheels]");
pyodide.runPython(script);
