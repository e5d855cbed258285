// Where each operation lives in the model file's text: the line of each layer's object in
// `layers` (forward and backward of that layer), of `loss` (the loss) and of `optimizer` (the
// update). The call stack points at these lines, so stepping highlights the layer in the editor,
// and line breakpoints are placed by them.
import { JsonDocument, LineIndex, type PathSegment } from '../../engine/model/jsonText';
import type { Phase } from '../../engine/types';

/** A place training can stop at, as the model file shows it (layers 0-based, as `layers[i]`). */
export type ModelPlace = { kind: 'layer'; layer: number } | { kind: 'loss' } | { kind: 'update' };

interface Span {
  place: ModelPlace;
  line: number; // 1-based first line
  endLine: number; // 1-based last line
}

export class ModelLines {
  private readonly spans: Span[] = [];
  /** Lines of the top-level keys, for the step and epoch frames. */
  private readonly keys = new Map<string, number>();

  constructor(text: string) {
    const doc = JsonDocument.parse(text);
    const lines = new LineIndex(text);
    const lineOf = (offset: number) => lines.position(offset).line;
    const spanOf = (path: PathSegment[], place: ModelPlace) => {
      const node = doc.nodeAt(path);
      if (!node || node === doc.root) return;
      // A property's line is its key's line; an array element's is its own first line.
      const start = node.parent?.type === 'property' ? node.parent.offset : node.offset;
      this.spans.push({ place, line: lineOf(start), endLine: lineOf(node.offset + node.length) });
    };
    const layers = doc.root?.children?.find((p) => p.children?.[0].value === 'layers')?.children?.[1];
    layers?.children?.forEach((_, layer) => spanOf(['layers', layer], { kind: 'layer', layer }));
    spanOf(['loss'], { kind: 'loss' });
    spanOf(['optimizer'], { kind: 'update' });
    for (const property of doc.root?.children ?? []) {
      const key = property.children?.[0];
      if (key && typeof key.value === 'string') this.keys.set(key.value, lineOf(property.offset));
    }
  }

  /** The line of a top-level key such as "layers" or "batch", or 1. */
  keyLine(key: string): number {
    return this.keys.get(key) ?? 1;
  }

  lineOfPlace(place: ModelPlace): number | undefined {
    return this.spans.find((s) => samePlace(s.place, place))?.line;
  }

  /** The line an operation points at: its layer's object, `loss` or `optimizer`. */
  lineOfPhase(phase: Phase): number {
    return this.lineOfPlace(placeOfPhase(phase)) ?? this.keyLine('layers');
  }

  /** The place a breakpoint on `line` means (any line inside a layer's object counts), or undefined. */
  placeAtLine(line: number): { place: ModelPlace; line: number } | undefined {
    // The innermost span wins: a layer object never contains another place, but keep it exact anyway.
    const hits = this.spans.filter((s) => s.line <= line && line <= s.endLine);
    hits.sort((a, b) => b.line - a.line);
    return hits[0] && { place: hits[0].place, line: hits[0].line };
  }
}

/** Keys of a layer object that name a tensor of the expression language. */
const LAYER_KEY_EXPRESSIONS: Record<string, string> = { weights: 'W', bias: 'b', activation: 'a', units: 'z' };
/** Top-level keys that name a value. */
const TOP_KEY_EXPRESSIONS: Record<string, string> = { loss: 'loss', regularization: 'regLoss' };

/**
 * The expression a hover over `word` on `line` of the model file shows: a layer's "weights" is
 * that layer's W, "bias" its b, "activation" its a, "units" its z; "loss" is the batch loss.
 */
export function hoverExpression(lines: ModelLines, line: number, word: string): string | undefined {
  const key = word.replace(/^"|"$/g, '');
  const at = lines.placeAtLine(line);
  if (at?.place.kind === 'layer' && Object.hasOwn(LAYER_KEY_EXPRESSIONS, key)) return `${LAYER_KEY_EXPRESSIONS[key]}[${at.place.layer + 1}]`;
  if (Object.hasOwn(TOP_KEY_EXPRESSIONS, key) && lines.keyLine(key) === line) return TOP_KEY_EXPRESSIONS[key];
  return undefined;
}

export function placeOfPhase(phase: Phase): ModelPlace {
  if (phase.kind === 'forward' || phase.kind === 'backward') return { kind: 'layer', layer: phase.layer };
  return { kind: phase.kind };
}

export function samePlace(a: ModelPlace, b: ModelPlace): boolean {
  return a.kind === b.kind && (a.kind !== 'layer' || a.layer === (b as { layer: number }).layer);
}
