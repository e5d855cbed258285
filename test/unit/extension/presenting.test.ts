// Presenting: the zoom steps of backprop.fontScale and the lesson order of Next/Previous Lesson.
import './useVscodeStub';
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FONT_SCALE, clampFontScale, zoomed } from '../../../src/extension/fontScale';
import { LESSON_EXAMPLES, lessonNameOf, neighbourLesson } from '../../../src/extension/lessons/lessonExamples';

describe('presenting: zoom steps', () => {
  it('zoom in and out walk the 0.25 grid from anywhere, and stop at the setting\'s bounds', () => {
    assert.deepEqual([zoomed(1, 1), zoomed(1, -1), zoomed(1.1, 1), zoomed(1.1, -1), zoomed(1.25, -1)], [1.25, 0.75, 1.25, 1, 1]);
    assert.equal(zoomed(FONT_SCALE.max, 1), FONT_SCALE.max);
    assert.equal(zoomed(FONT_SCALE.min, -1), FONT_SCALE.min);
    assert.deepEqual([clampFontScale(10), clampFontScale(0), clampFontScale(Number.NaN)], [FONT_SCALE.max, FONT_SCALE.min, FONT_SCALE.default]);
  });

  it('the bounds are the ones package.json declares for backprop.fontScale', () => {
    const pkg = JSON.parse(readFileSync(join(__dirname, '../../../package.json'), 'utf8'));
    const setting = pkg.contributes.configuration.properties['backprop.fontScale'];
    assert.deepEqual([setting.minimum, setting.maximum, setting.default], [FONT_SCALE.min, FONT_SCALE.max, FONT_SCALE.default]);
  });
});

describe('presenting: lesson order', () => {
  it('next and previous follow the walkthrough\'s examples; none past either end', () => {
    assert.equal(neighbourLesson('01-learning-is-optimization', 1), '02-norms-and-information');
    assert.equal(neighbourLesson('09-training-units', 1), 'online-linear');
    assert.equal(neighbourLesson('02-norms-and-information', -1), '01-learning-is-optimization');
    assert.equal(neighbourLesson(LESSON_EXAMPLES[0], -1), undefined);
    assert.equal(neighbourLesson(LESSON_EXAMPLES[LESSON_EXAMPLES.length - 1], 1), undefined);
    assert.equal(neighbourLesson(undefined, 1), LESSON_EXAMPLES[0]);
  });

  it('a model file is a lesson by its examples/ file name, in any folder and encoding', () => {
    assert.equal(lessonNameOf('file:///home/me/proj/examples/04-chain-rule.backprop.json'), '04-chain-rule');
    assert.equal(lessonNameOf('vscode-remote://h/w%20s/examples/online-linear.backprop.json'), 'online-linear');
    assert.equal(lessonNameOf('file:///x/xor.backprop.json'), undefined);
  });
});
