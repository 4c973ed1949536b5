/*
 * cnn-course-a11y: what JupyterLab 4 and ipywidgets 8 leave out for a reader who uses a
 * screen reader or only the keyboard, in the course's notebook outputs.
 *
 * 1. Images: JupyterLab's image renderer ignores the description the notebook build
 *    stores with each figure (output metadata["image/png"]["alt"], written by
 *    tools/build_notebooks.py), so <img> has no alt. A renderer of higher rank draws the
 *    image exactly as JupyterLab's RenderedImage does, then sets img.alt from that
 *    metadata (nothing when there is none). A figure drawn again by running its cell
 *    comes from the kernel without that metadata: its alt then comes from the cell's own
 *    "alt" metadata (one sentence, or a list with one per figure), which is where the
 *    build takes it from.
 * 2. Slider handles (noUiSlider) are not tied to the widget's description label: each
 *    handle gets aria-labelledby pointing at that label.
 * 3. The Play widget's buttons are icon-only: each gets a title and an aria-label
 *    ("Play", "Pause", "Stop", "Repeat") read from its icon, kept up to date when the
 *    play button's icon switches between play and pause.
 * 4. A focused, closed Dropdown loses its arrow keys to the notebook's command-mode
 *    shortcuts (jupyter-widgets/ipywidgets#3912): its <select> gets Lumino's
 *    data-lm-suppress-shortcuts attribute, so the keys reach the <select>.
 *
 * Plain JavaScript (no compile step); `make a11y` rebuilds labextension/ from it.
 */
import { INotebookTracker } from '@jupyterlab/notebook';
import { IRenderMimeRegistry, RenderedImage } from '@jupyterlab/rendermime';

const IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/gif'];

/** JupyterLab's own image renderer has rank 90; a lower rank wins. */
const IMAGE_RANK = 80;

/** Play widget icons (Font Awesome classes set by ipywidgets' PlayView) → names. */
const PLAY_NAMES = {
  'fa-play': 'Play',
  'fa-pause': 'Pause',
  'fa-stop': 'Stop',
  'fa-retweet': 'Repeat',
  'fa-repeat': 'Repeat'
};

/** RenderedImage, plus the figure's description as the image's alt text. */
export class DescribedImage extends RenderedImage {
  async render(model) {
    await super.render(model);
    const metadata = model.metadata[this.mimeType];
    const alt = metadata && typeof metadata.alt === 'string' ? metadata.alt : '';
    const img = this.node.querySelector('img');
    if (img && alt) {
      img.alt = alt;
    }
  }
}

export const describedImageFactory = {
  safe: true,
  mimeTypes: IMAGE_TYPES,
  defaultRank: IMAGE_RANK,
  createRenderer: options => new DescribedImage(options)
};

let labelCount = 0;

/** Name a slider handle after its widget's description label (aria-labelledby). */
function nameSliderHandle(handle) {
  if (handle.hasAttribute('aria-label') || handle.hasAttribute('aria-labelledby')) {
    return;
  }
  const widget = handle.closest('.widget-slider, .jupyter-widgets');
  const label = widget && widget.querySelector(':scope > .widget-label');
  if (!label || !label.textContent.trim()) {
    return;
  }
  if (!label.id) {
    label.id = `cnn-course-a11y-label-${++labelCount}`;
  }
  handle.setAttribute('aria-labelledby', label.id);
}

/** Title and aria-label of a Play widget button, from the icon it shows now. */
function namePlayButton(button) {
  const icon = button.querySelector('i');
  if (!icon) {
    return;
  }
  const found = Object.keys(PLAY_NAMES).find(name => icon.classList.contains(name));
  const name = found && PLAY_NAMES[found];
  if (name && button.getAttribute('aria-label') !== name) {
    button.setAttribute('aria-label', name);
    button.title = name;
  }
}

/** The cell's figure descriptions, from its "alt" metadata (as the notebook build reads them). */
function cellAlts(cell) {
  const model = cell.model;
  const alt = model && model.getMetadata ? model.getMetadata('alt') : undefined;
  if (typeof alt === 'string') {
    return [alt];
  }
  return Array.isArray(alt) ? alt.filter(text => typeof text === 'string') : [];
}

/** Alt text for the figures of each code cell whose outputs came without one. */
export function describeFigures(notebook) {
  for (const cell of notebook.widgets) {
    if (!cell.model || cell.model.type !== 'code' || !cell.outputArea) {
      continue;
    }
    const images = cell.outputArea.node.querySelectorAll(
      '.jp-RenderedImage[data-mime-type="image/png"] img'
    );
    if (images.length === 0) {
      continue;
    }
    const alts = cellAlts(cell);
    // As the build does: one description per figure, or none is given.
    if (alts.length !== images.length) {
      continue;
    }
    images.forEach((img, index) => {
      if (!img.getAttribute('alt') && alts[index].trim()) {
        img.alt = alts[index];
      }
    });
  }
}

/** Everything above, for the widgets now under `root`. Idempotent and cheap. */
export function fixWidgets(root) {
  root.querySelectorAll('.jupyter-widgets .noUi-handle').forEach(nameSliderHandle);
  root.querySelectorAll('.widget-play button').forEach(namePlayButton);
  root
    .querySelectorAll('.jupyter-widgets select:not([data-lm-suppress-shortcuts])')
    .forEach(select => select.setAttribute('data-lm-suppress-shortcuts', 'true'));
}

/*
 * Why a MutationObserver: ipywidgets' views build their DOM in their own render() and
 * rebuild parts of it later (a Play button's icon switches on every press), and the widget
 * manager offers no hook to run after a view renders; a rerun cell's figures likewise
 * arrive through the output area with no event that names the rendered <img>. So each
 * notebook's node is watched for added elements and class changes, and the work is
 * batched into one pass per frame over that notebook only.
 */
function watchNotebook(panel) {
  const node = panel.content.node;
  let scheduled = false;
  const run = () => {
    scheduled = false;
    if (!panel.isDisposed) {
      fixWidgets(node);
      describeFigures(panel.content);
    }
  };
  const observer = new MutationObserver(() => {
    if (!scheduled) {
      scheduled = true;
      requestAnimationFrame(run);
    }
  });
  observer.observe(node, {
    childList: true,
    subtree: true,
    attributes: true,
    attributeFilter: ['class']
  });
  run();
  panel.disposed.connect(() => observer.disconnect());
}

const plugin = {
  id: 'cnn-course-a11y:plugin',
  description: 'Alt text for figures, names for slider handles and Play buttons, arrow keys for dropdowns.',
  autoStart: true,
  requires: [IRenderMimeRegistry],
  optional: [INotebookTracker],
  activate: (app, rendermime, notebooks) => {
    rendermime.addFactory(describedImageFactory, IMAGE_RANK);
    if (notebooks) {
      notebooks.widgetAdded.connect((_, panel) => watchNotebook(panel));
      notebooks.forEach(watchNotebook);
    }
  }
};

export default plugin;
